"""Alert benchmarks (DESIGN.md targets).

find: one new opportunity against N companies with profiles and N saved searches (default
100,000 each): the time to find every matching saved search (percolation on Elasticsearch)
and every matching company (the matching engine), against trying each saved search in turn
(timed on a sample and scaled up, the sample's answers checked against percolation). Target:
every match in under 1 s, at least 50 times faster than one search per saved search.

deliver: N alert emails (default 10,000) through Redis and two Celery workers to a real SMTP
sink; reports the time until the last one arrives and how many were lost or duplicated (both
must be 0). Target: 10,000 in under 60 s with two workers.

    python -m bench alerts [--part find|deliver|both] [--size 100000] [--emails 10000]
                           [--workers 2] [--smoke]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from bench import _stack


def deliver(emails: int, worker_count: int, kill: bool = False) -> dict:
    with _stack.postgresql() as db_url, _stack.redis() as redis_url, _stack.smtp_sink() as sink:
        env = {
            "DATABASE_URL": db_url,
            "CELERY_BROKER_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "DEBUG": "False",
            "SECRET_KEY": "kansen-bench-only-" + "Zq8!xW3@pL6#vN1$" * 3,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "KANSEN_VAR_DIR": tempfile.mkdtemp(prefix="kansen-bench-var-"),
            "ALERTS_CLAIM_TIMEOUT": "5",
        }
        _stack.django_setup(env)
        from django.utils import timezone

        from marketplace.core.models import Organisation, User
        from marketplace.core.reference import reference_data_load
        from suppliers.delivery import batches
        from suppliers.models_alerts import Alert
        from suppliers.tasks import alerts_deliver_task, enqueue
        from tenders.models import Opportunity

        reference_data_load()
        buyer = Organisation.objects.create(
            kind="buyer", name="Gemeente Bench", slug="gemeente-bench", buyer_type="municipality"
        )
        now = timezone.now()
        opportunities = Opportunity.objects.bulk_create(
            [
                Opportunity(
                    kind="tender",
                    buyer=buyer,
                    title=f"Benchmark opportunity {i}",
                    summary="Een kans.",
                    published_at=now,
                    closes_at=now + timezone.timedelta(days=20),
                )
                for i in range(max(emails // 100, 1))
            ]
        )
        users = User.objects.bulk_create(
            [
                User(
                    email=f"bench{i}@startup.example",
                    name=f"Bench {i}",
                    password="!",  # noqa: S106 - an unusable password
                    language="nl" if i % 2 else "en",
                )
                for i in range(emails)
            ]
        )
        alerts = Alert.objects.bulk_create(
            [
                Alert(
                    user=u,
                    opportunity=opportunities[i % len(opportunities)],
                    reason="saved_search",
                    reason_key="new",
                    why="Matches your saved search “Bench”.",
                    cadence="instant",
                )
                for i, u in enumerate(users)
            ],
            batch_size=2000,
        )
        ids = [a.pk for a in alerts]
        logdir = Path(tempfile.mkdtemp(prefix="kansen-bench-workers-"))
        with _stack.workers(worker_count, env, logdir) as running:
            from marketplace.celery import app
            from suppliers.tasks import outbox_sweep_task

            app.conf.update(broker_url=redis_url, task_always_eager=False)
            start = time.perf_counter()
            for batch in batches(ids, 50):
                enqueue(alerts_deliver_task, batch)
            deadline = start + max(120, emails / 20)
            killed = False
            last_sweep = start
            while sink.count() < emails and time.perf_counter() < deadline:
                if kill and not killed and sink.count() >= emails // 3:
                    # A crash: SIGKILL one worker half-way, start a new one; the sweep (every
                    # minute in production, every 2 s here) hands its unfinished rows on.
                    running[0].kill()
                    running.append(
                        _stack.CeleryWorker(env, logdir / "worker-restarted.log").start(timeout=60)
                    )
                    killed = True
                if killed and time.perf_counter() - last_sweep > 2:
                    enqueue(outbox_sweep_task)
                    last_sweep = time.perf_counter()
                time.sleep(0.05)
            elapsed = time.perf_counter() - start
            time.sleep(2)
        message_ids = [m["Message-ID"] for m in sink.messages]
        received = len(message_ids)
        unique = len(set(message_ids))
        sent_rows = Alert.objects.filter(status="sent").count()
        return {
            "killed": kill,
            "emails": emails,
            "workers": worker_count,
            "seconds": round(elapsed, 2),
            "per_second": round(received / elapsed, 1) if elapsed else None,
            "received": received,
            "lost": emails - unique,
            "duplicated": received - unique,
            "rows_sent": sent_rows,
        }


VOCABULARY = [
    "drukte",
    "voorspellen",
    "sensoren",
    "data",
    "afval",
    "energie",
    "mobiliteit",
    "laadpalen",
    "water",
    "klimaat",
    "zorg",
    "onderwijs",
    "veiligheid",
    "verlichting",
    "parkeren",
    "platform",
    "software",
    "app",
    "dashboard",
    "crowd",
    "prediction",
    "sensor",
    "circular",
    "mobility",
]
PUBLISHED_TEXT = (
    "Drukte voorspellen rond de Johan Cruijff ArenA",
    "Voorspel de drukte op de Arena Boulevard met sensoren en open data, en help bezoekers "
    "veilig en op tijd bij het stadion te komen.",
)


def _random_params(rng, competencies: list[str], regions: list[str], divisions: list[str]) -> dict:
    params: dict = {}
    if rng.random() < 0.5:
        params["kind"] = rng.sample(
            ["tender", "funding", "co_creation", "test_location"], rng.choice([1, 2])
        )
    if rng.random() < 0.6:
        params["competency"] = rng.sample(competencies, rng.choice([1, 2]))
    if rng.random() < 0.5:
        params["region"] = [rng.choice(regions)]
    if rng.random() < 0.3:
        params["cpv"] = [rng.choice(divisions)]
    if rng.random() < 0.5:
        params["q"] = " ".join(rng.sample(VOCABULARY, rng.choice([1, 1, 2])))
    return params


def _load_profiles(
    rng, count: int, competencies: list[str], regions: list[str], divisions: list[str]
) -> None:
    """Bulk-load `count` companies with profiles (the same stemmed match text as the services)."""
    from marketplace.core.models import Competency, CpvCode, Organisation, Region
    from suppliers.models import CompanyCompetency, CompanyProfile
    from suppliers.text import analyse_all

    comp_ids = dict(Competency.objects.values_list("slug", "pk"))
    labels = {c.slug: f"{c.label_en} {c.label_nl}" for c in Competency.objects.all()}
    cpv_codes = [c for c in CpvCode.objects.filter(level=2).values_list("code", flat=True)]
    region_codes = set(Region.objects.filter(code__in=regions).values_list("code", flat=True))
    sizes = ["startup", "micro", "small", "medium", "large"]
    batch = 5000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    kind="company",
                    name=f"Bench company {start + i}",
                    slug=f"bench-company-{start + i}",
                    kvk_number=f"{10_000_000 + start + i:08d}",
                    size_class=rng.choice(sizes),
                    city="Amsterdam",
                )
                for i in range(n)
            ]
        )
        # One company in ten works in data and prediction around Amsterdam, like the published
        # opportunity; the rest are spread over every competency, CPV group and region.
        cluster = [rng.random() < 0.1 for _ in orgs]
        data_slugs = [
            "data-aggregation",
            "behaviour-prediction",
            "sensor-networks",
            "ai-machine-learning",
        ]
        chosen = [
            rng.sample(data_slugs, rng.choice([2, 3]))
            if c
            else rng.sample(list(comp_ids), rng.choice([1, 2, 3]))
            for c in cluster
        ]
        profiles = CompanyProfile.objects.bulk_create(
            [
                CompanyProfile(
                    organisation=org,
                    description=f"Wij werken aan {' en '.join(rng.sample(VOCABULARY, 3))}.",
                    languages=["nl", "en"],
                    is_public=rng.random() < 0.7,
                    match_text=(lambda a: {"terms": dict(a.terms), "surface": a.surface})(
                        analyse_all(
                            [labels[s] for s in slugs] + [" ".join(rng.sample(VOCABULARY, 3))]
                        )
                    ),
                )
                for org, slugs in zip(orgs, chosen, strict=True)
            ]
        )
        CompanyCompetency.objects.bulk_create(
            [
                CompanyCompetency(
                    profile=p, competency_id=comp_ids[slug], level=rng.choice([1, 2, 3])
                )
                for p, slugs in zip(profiles, chosen, strict=True)
                for slug in slugs
            ]
        )
        cpv_through = CompanyProfile.cpv_interests.through
        cpv_through.objects.bulk_create(
            [
                cpv_through(companyprofile_id=p.pk, cpvcode_id=rng.choice(cpv_codes))
                for p in profiles
            ]
        )
        region_through = CompanyProfile.regions.through
        region_through.objects.bulk_create(
            [
                region_through(companyprofile_id=p.pk, region_id=rng.choice(sorted(region_codes)))
                for p in profiles
            ]
        )


def _load_saved_searches(rng, count: int, competencies, regions, divisions) -> None:
    """Bulk-load `count` saved searches of 20% as many users, registered as stored queries the
    way saved_search_create does it, then synced to the engine in bulk."""
    from marketplace.core.models import User
    from search import get_backend
    from search.models import StoredQuery, StoredQueryTerm
    from search.query import OpportunityQuery
    from suppliers.models_alerts import SavedSearch

    database = get_backend("database")
    users = User.objects.bulk_create(
        [User(email=f"saver{i}@bench.example", password="!") for i in range(max(count // 5, 1))],  # noqa: S106 - unusable
        batch_size=5000,
    )
    batch = 5000
    for start in range(0, count, batch):
        n = min(batch, count - start)
        queries = [
            OpportunityQuery.from_params(_random_params(rng, competencies, regions, divisions))
            for _ in range(n)
        ]
        saved = SavedSearch.objects.bulk_create(
            [
                SavedSearch(
                    user=users[(start + i) % len(users)],
                    name=f"Search {start + i}",
                    params=q.to_json(),
                    cadence="daily",
                )
                for i, q in enumerate(queries)
            ]
        )
        stored_rows, term_rows = [], []
        for s, q in zip(saved, queries, strict=True):
            terms = database.stored_terms(q)
            stored_rows.append(
                StoredQuery(
                    key=f"saved-search:{s.pk}",
                    query=q.to_json(),
                    required_slots=len({slot for slot, _v in terms}),
                    budget_min=q.budget_min,
                    budget_max=q.budget_max,
                )
            )
            term_rows.append(terms)
        stored = StoredQuery.objects.bulk_create(stored_rows)
        StoredQueryTerm.objects.bulk_create(
            [
                StoredQueryTerm(stored_query=sq, slot=slot, value=value[:80])
                for sq, terms in zip(stored, term_rows, strict=True)
                for slot, value in terms
            ],
            batch_size=10000,
        )
    get_backend().sync_stored_queries()


def find(size: int, sample: int, backend: str) -> dict:
    import random
    import statistics

    rng = random.Random(20261127)
    with contextlib.ExitStack() as stack:
        db_url = stack.enter_context(_stack.postgresql())
        env = {
            "DATABASE_URL": db_url,
            "DEBUG": "False",
            "SECRET_KEY": "kansen-bench-only-" + "Zq8!xW3@pL6#vN1$" * 3,
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "SEARCH_BACKEND": backend,
            "KANSEN_VAR_DIR": tempfile.mkdtemp(prefix="kansen-bench-var-"),
        }
        if backend == "elasticsearch":
            env["ELASTICSEARCH_URL"] = stack.enter_context(_stack.elasticsearch())
        _stack.django_setup(env)
        from marketplace.core.models import Competency, CpvCode, Organisation, Region, User
        from marketplace.core.reference import reference_data_load
        from search.services import opportunity_percolate, search_index
        from suppliers.models_alerts import SavedSearch
        from suppliers.sources import companies_matching, saved_search_finds
        from tenders import hooks
        from tenders.services.opportunities import opportunity_create, opportunity_publish

        reference_data_load()
        competencies = list(
            Competency.objects.filter(parent__isnull=False).values_list("slug", flat=True)
        )
        regions = [
            "NL",
            "NL32",
            "NL32B",
            "GM0363",
            "GM0362",
            "GM0384",
            "NL33",
            "NL35",
            "GM0599",
            "GM0344",
        ]
        divisions = list(CpvCode.objects.filter(level=1).values_list("code", flat=True))
        started = time.perf_counter()
        _load_profiles(
            rng,
            size,
            competencies,
            [r for r in regions if Region.objects.filter(code=r).exists()],
            divisions,
        )
        _load_saved_searches(rng, size, competencies, regions, divisions)
        load_seconds = time.perf_counter() - started

        buyer = Organisation.objects.create(
            kind="buyer",
            name="Gemeente Amsterdam",
            slug="gemeente-amsterdam",
            buyer_type="municipality",
        )
        user = User.objects.create_user(email="buyer@bench.example")
        from marketplace.core.models import Membership

        Membership.objects.create(user=user, organisation=buyer, role="admin")
        receivers, hooks.OPPORTUNITY_RECEIVERS = hooks.OPPORTUNITY_RECEIVERS, []
        now = timezone_now()
        opportunity = opportunity_create(
            buyer=buyer,
            by=user,
            kind="co_creation",
            data={
                "title": PUBLISHED_TEXT[0],
                "summary": "Wij zoeken een start-up die drukte voorspelt.",
                "description": PUBLISHED_TEXT[1],
                "competencies": ["behaviour-prediction", "data-aggregation", "sensor-networks"],
                "regions": ["GM0363"],
                "cpv_codes": ["72316000"],
                "closes_at": now + dt.timedelta(days=30),
                "details": {"challenge": "Drukte", "desired_outcome": "Een voorspelmodel"},
            },
        )
        opportunity_publish(opportunity=opportunity, by=user)
        hooks.OPPORTUNITY_RECEIVERS = receivers
        search_index(ids=[opportunity.pk])
        from search import get_backend

        get_backend().refresh()
        if os.environ.get("BENCH_DEBUG"):
            from suppliers.match_selectors import match_reasons, matching_companies_for_opportunity

            for r in matching_companies_for_opportunity(
                opportunity_id=opportunity.pk, min_score=0, limit=3
            ):
                print("  top:", r.company.name, r.score, match_reasons(r.match), flush=True)

        percolate_times, company_times = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            keys = opportunity_percolate(opportunity_id=opportunity.pk)
            percolate_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            matches = companies_matching(opportunity)
            company_times.append(time.perf_counter() - t0)
        percolate_s = statistics.median(percolate_times)
        companies_s = statistics.median(company_times)

        sample_rows = list(SavedSearch.objects.order_by("?")[:sample])
        t0 = time.perf_counter()
        sample_hits = {s.pk for s in sample_rows if saved_search_finds(s, opportunity)}
        each_sample_s = time.perf_counter() - t0
        each_s = each_sample_s * size / max(len(sample_rows), 1)
        percolated = {int(k.split(":")[1]) for k in keys if k.startswith("saved-search:")}
        in_sample = percolated & {s.pk for s in sample_rows}
        return {
            "backend": backend,
            "size": size,
            "load_s": round(load_seconds, 1),
            "saved_searches_matched": len(percolated),
            "companies_matched": len(matches),
            "percolate_ms": round(percolate_s * 1000, 1),
            "companies_ms": round(companies_s * 1000, 1),
            "find_all_ms": round((percolate_s + companies_s) * 1000, 1),
            "each_in_turn_s": round(each_s, 1),
            "each_sample": len(sample_rows),
            "ratio": round(each_s / percolate_s, 1) if percolate_s else None,
            "sample_agrees": sample_hits == in_sample,
            "disagreements": [
                (s.params, s.pk in sample_hits, s.pk in in_sample)
                for s in sample_rows
                if (s.pk in sample_hits) != (s.pk in in_sample)
            ][:5],
        }


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench alerts",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--part", choices=["find", "deliver", "both"], default="both")
    parser.add_argument(
        "--size", type=int, default=100_000, help="companies and saved searches (find)"
    )
    parser.add_argument(
        "--sample", type=int, default=1000, help="saved searches replayed one by one (find)"
    )
    parser.add_argument("--backend", choices=["elasticsearch", "database"], default="elasticsearch")
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--kill", action="store_true", help="SIGKILL a worker a third of the way through"
    )
    parser.add_argument("--smoke", action="store_true", help="200 emails")
    args = parser.parse_args(argv)
    ok = True
    if args.part in ("find", "both"):
        size, sample = (1000, 100) if args.smoke else (args.size, args.sample)
        r = find(size, sample, args.backend)
        print(
            f"alerts find ({r['backend']}): {r['size']} companies and {r['size']} saved searches (loaded in {r['load_s']} s); "
            f"{r['saved_searches_matched']} saved searches by percolation in {r['percolate_ms']} ms, "
            f"{r['companies_matched']} companies by matching in {r['companies_ms']} ms: every match in {r['find_all_ms']} ms; "
            f"each saved search in turn ~{r['each_in_turn_s']} s (timed on {r['each_sample']}, scaled): "
            f"percolation {r['ratio']}x faster; sample agrees: {r['sample_agrees']}",
            flush=True,
        )
        ok = ok and r["sample_agrees"]
        for params, replayed, percolated in r["disagreements"]:
            print(f"  disagreement: {params}: one-by-one {replayed}, percolation {percolated}")
        if args.part == "both":
            # The delivery part starts its own services in a fresh process.
            import subprocess
            import sys

            code = "import sys; from bench import alerts; sys.exit(alerts.main(sys.argv[1:]))"
            extra = (
                ["--smoke"]
                if args.smoke
                else ["--emails", str(args.emails), "--workers", str(args.workers)]
            )
            return subprocess.run(
                [sys.executable, "-c", code, "--part", "deliver", *extra], check=False
            ).returncode or (0 if ok else 1)
        return 0 if ok else 1
    emails = 200 if args.smoke else args.emails
    result = deliver(emails, args.workers, kill=args.kill)
    print(
        f"alerts deliver{' (one worker killed with SIGKILL a third of the way)' if result['killed'] else ''}: "
        f"{result['received']}/{result['emails']} emails with {result['workers']} workers "
        f"in {result['seconds']} s ({result['per_second']}/s); lost {result['lost']}, duplicated {result['duplicated']}"
    )
    ok = ok and result["lost"] == 0 and result["duplicated"] == 0
    if not args.smoke and result["seconds"] > 60:
        print("  slower than the 60 s target")
    return 0 if ok else 1
