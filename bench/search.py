"""Search benchmark: N realistic opportunities, then p50/p95/p99 latency of a fixed query mix
on each backend, through the API (Django's full request stack, in process) and directly
against the engine (`backend.engine_search` / `backend.suggest`), with the ratio.

    python -m bench search                        # 100,000 documents, every backend it can run
    python -m bench search --smoke                # 1,000 documents
    python -m bench.search -n 100000 --backends postgresql,elasticsearch

Texts and codes come from data/: CPV codes and labels, titles of TED 2019 contract awards,
Horizon Europe call names, Dutch municipalities, competencies. PostgreSQL and Elasticsearch are
started as throwaways from the installed binaries / scripts/elasticsearch/run unless
--postgresql-url / --elasticsearch-url name running ones. Each backend runs in its own process.

Each query runs through the API and against the engine, taking turns over which goes first (the
second finds the engine's caches warm); Django runs with DEBUG off, as in production.

Query mix (fixed seed): text only (no facets); text with two filters and facets; filters only
(no facets); type-ahead.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
TYPES = ("text", "text+2 filters+facets", "filters", "type-ahead")


# --- parent: services and the table -----------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_postgresql(workdir: Path) -> tuple[str, callable]:
    pg_ctl = str(ROOT / "scripts" / "pg_ctl")
    data = workdir / "pg" / "data"
    port = _free_port()
    subprocess.run(
        [pg_ctl, "initdb", "-D", str(data), "-o", "-A trust -U postgres"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            pg_ctl,
            "start",
            "-w",
            "-D",
            str(data),
            "-l",
            str(workdir / "pg" / "log"),
            "-o",
            # random_page_cost 1.1: the usual setting for SSD storage (the default 4.0 assumes
            # spinning disks and makes the planner read every tsvector for a common word).
            f"-p {port} -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c random_page_cost=1.1",
        ],
        check=True,
        capture_output=True,
    )
    import psycopg

    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as c:
        c.execute("CREATE DATABASE kansen_bench")

    def stop():
        subprocess.run([pg_ctl, "stop", "-D", str(data), "-m", "fast"], capture_output=True)

    return f"postgres://postgres@127.0.0.1:{port}/kansen_bench", stop


def start_elasticsearch(workdir: Path) -> tuple[str, callable]:
    sys.path.insert(0, str(ROOT))
    from tests.services import elasticsearch_start

    info = elasticsearch_start(workdir / "es")
    if "error" in info:
        raise RuntimeError(info["error"])

    def stop():
        try:
            os.killpg(info["pid"], signal.SIGTERM)
            for _ in range(100):
                os.killpg(info["pid"], 0)
                time.sleep(0.1)
            os.killpg(info["pid"], signal.SIGKILL)
        except ProcessLookupError:
            pass

    return info["url"], stop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--smoke", action="store_true", help="1,000 documents, 20 queries per type")
    parser.add_argument("-n", type=int, default=100_000, help="documents (default 100,000)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per type")
    parser.add_argument("--backends", default="sqlite,postgresql,elasticsearch")
    parser.add_argument("--postgresql-url", default="")
    parser.add_argument("--elasticsearch-url", default="")
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.queries = 1_000, 20
    if args.worker:
        return worker(args)

    workdir = Path(tempfile.mkdtemp(prefix="kansen-bench-search-"))
    stops = []
    results = []
    try:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "marketplace.settings",
                # As in production: DEBUG on would record every query and slow Django down.
                "DEBUG": "False",
                "SECRET_KEY": "kansen-bench-only-" + "Zq8!xW3@pL6#vN1$" * 3,
                "ALLOWED_HOSTS": "testserver,127.0.0.1",
                "KANSEN_VAR_DIR": str(workdir / "var"),
                "LOG_LEVEL": "WARNING",
                "SEARCH_BACKEND": "database",
            }
            env.pop("CELERY_BROKER_URL", None)
            env["DATABASE_URL"] = f"sqlite:///{workdir / f'{backend}.sqlite3'}"
            try:
                if backend == "postgresql":
                    url = args.postgresql_url
                    if not url:
                        if not shutil.which("initdb") and not list(
                            Path("/usr/lib/postgresql").glob("*/bin/pg_ctl")
                        ):
                            print("postgresql: not installed, skipped")
                            continue
                        url, stop = start_postgresql(workdir)
                        stops.append(stop)
                    env["DATABASE_URL"] = url
                elif backend == "elasticsearch":
                    url = args.elasticsearch_url
                    if not url:
                        if not shutil.which("java"):
                            print("elasticsearch: no Java, skipped")
                            continue
                        url, stop = start_elasticsearch(workdir)
                        stops.append(stop)
                    env.update(
                        SEARCH_BACKEND="elasticsearch",
                        ELASTICSEARCH_URL=url,
                        ELASTICSEARCH_INDEX_PREFIX=f"bench-{os.getpid()}",
                        ELASTICSEARCH_TIMEOUT="60",
                    )
            except Exception as exc:
                print(f"{backend}: could not start ({exc}), skipped")
                continue
            print(f"-- {backend}: {args.n:,} documents", flush=True)
            cmd = [
                sys.executable,
                "-m",
                "bench.search",
                "--worker",
                backend,
                "-n",
                str(args.n),
                "--queries",
                str(args.queries),
            ]
            proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            print("\n".join(x for x in proc.stdout.splitlines() if x.startswith("   ")), flush=True)
            lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
            if proc.returncode or not lines:
                print(proc.stdout[-3000:])
                print(f"{backend}: failed (exit {proc.returncode})")
                return 1
            results.append(json.loads(lines[-1][7:]))
            print_table(results[-1:], args)  # each backend's rows as soon as they are known
    finally:
        for stop in stops:
            stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print_table(results, args)
    return 0


def print_table(results: list[dict], args) -> None:
    print()
    print(
        f"Search benchmark: {args.n:,} opportunities, {args.queries} timed queries per type "
        f"(command: python -m bench.search -n {args.n} --queries {args.queries} --backends "
        f"{args.backends})"
    )
    print()
    print(
        "| backend | index time | query type | API p50 | API p95 | API p99 | engine p50 | engine p95 | engine p99 | API/engine (p50) | API/engine (p95) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        for t in TYPES:
            a, e = r["api"][t], r["engine"][t]
            print(
                f"| {r['backend']} | {r['index_seconds']:.0f} s | {t} | {a['p50']:.1f} ms | {a['p95']:.1f} ms | "
                f"{a['p99']:.1f} ms | {e['p50']:.1f} ms | {e['p95']:.1f} ms | {e['p99']:.1f} ms | "
                f"{a['p50'] / e['p50']:.2f} | {a['p95'] / e['p95']:.2f} |"
            )


# --- worker: data, index, queries ------------------------------------------------------------


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(p):
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    return {"p50": at(50), "p95": at(95), "p99": at(99), "mean": statistics.mean(ordered) * 1000}


def _texts():
    titles = []
    with gzip.open(
        DATA / "ted_can_2019_sample" / "ted_can_2019_awards_benchmark.csv.gz",
        "rt",
        encoding="utf-8",
    ) as fh:
        for row in csv.DictReader(fh):
            if row["title"].strip():
                titles.append(row["title"].strip()[:250])
    calls = json.loads(
        (
            DATA / "eu_funding_calls" / "horizon_europe_call_topics_snapshot_2026-05-11.json"
        ).read_text()
    )
    titles += [c["name"][:250] for c in calls["allCalls"] if c.get("name")]
    return titles


def generate(n: int, rng: random.Random) -> None:
    import datetime as dt
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from marketplace.core.models import Competency, CpvCode, Organisation, Region
    from tenders.models import Opportunity

    titles = _texts()
    cpv = list(CpvCode.objects.values_list("code", "label_nl", "label_en"))
    municipalities = list(
        Region.objects.filter(kind="municipality").values_list("code", "label_nl")
    )
    nuts = list(
        Region.objects.filter(country="NL")
        .exclude(kind="municipality")
        .values_list("code", flat=True)
    )
    competencies = list(Competency.objects.values_list("id", "label_nl", "label_en"))
    buyers = []
    for i, (code, name) in enumerate(rng.sample(municipalities, min(300, len(municipalities)))):
        buyers.append(
            Organisation(
                kind="buyer",
                name=f"Gemeente {name}",
                slug=f"bench-gemeente-{i}-{code.lower()}",
                buyer_type="municipality",
                city=name,
            )
        )
    Organisation.objects.bulk_create(buyers)
    buyer_ids = list(
        Organisation.objects.filter(slug__startswith="bench-").values_list("pk", flat=True)
    )
    now = timezone.now()
    kinds = ["tender"] * 6 + ["funding"] * 2 + ["co_creation", "test_location"]
    Through = {
        "competencies": Opportunity.competencies.through,
        "cpv_codes": Opportunity.cpv_codes.through,
        "regions": Opportunity.regions.through,
    }
    comp_id = {c[0] for c in competencies}
    batch = 2000
    for start in range(0, n, batch):
        rows = []
        for _ in range(min(batch, n - start)):
            code, label_nl, label_en = rng.choice(cpv)
            place_code, place = rng.choice(municipalities)
            comp = rng.choice(competencies)
            title = rng.choice(titles)
            summary = f"{label_nl}. {comp[1]} in {place}. {rng.choice(titles)}"
            description = (
                f"{title}. {label_en}; {comp[2]}. {rng.choice(titles)}. {rng.choice(titles)}"
            )
            low = Decimal(rng.choice([5, 10, 25, 50, 100, 250, 500, 1000, 5000])) * 1000
            published = now - dt.timedelta(days=rng.uniform(0, 365))
            closes = (
                None if rng.random() < 0.05 else now + dt.timedelta(days=rng.uniform(-120, 120))
            )
            o = Opportunity(
                kind=rng.choice(kinds),
                buyer_id=rng.choice(buyer_ids),
                title=title,
                summary=summary,
                description=description,
                budget_min=low if rng.random() < 0.5 else None,
                budget_max=low * 2 if rng.random() < 0.8 else None,
                published_at=published,
                opens_at=published,
                closes_at=closes,
                created_at=published,
                updated_at=published,
                is_sme_suitable=rng.random() < 0.4,
                is_first_timer_friendly=rng.random() < 0.2,
                awarded_at=now if closes and closes < now and rng.random() < 0.3 else None,
                main_cpv_id=code,
            )
            o._bench = (code, place_code, comp[0])
            rows.append(o)
        with transaction.atomic():
            Opportunity.objects.bulk_create(rows)
            links = {"competencies": [], "cpv_codes": [], "regions": []}
            for o in rows:
                code, place_code, comp = o._bench
                links["cpv_codes"].append(
                    Through["cpv_codes"](opportunity_id=o.pk, cpvcode_id=code)
                )
                extra = rng.choice(cpv)[0]
                if extra != code:
                    links["cpv_codes"].append(
                        Through["cpv_codes"](opportunity_id=o.pk, cpvcode_id=extra)
                    )
                links["regions"].append(
                    Through["regions"](opportunity_id=o.pk, region_id=place_code)
                )
                if rng.random() < 0.3:
                    links["regions"].append(
                        Through["regions"](opportunity_id=o.pk, region_id=rng.choice(nuts))
                    )
                links["competencies"].append(
                    Through["competencies"](opportunity_id=o.pk, competency_id=comp)
                )
                other = rng.choice(list(comp_id))
                if other != comp:
                    links["competencies"].append(
                        Through["competencies"](opportunity_id=o.pk, competency_id=other)
                    )
            for name, objs in links.items():
                Through[name].objects.bulk_create(objs, batch_size=5000)


def queries(rng: random.Random, count: int):
    from marketplace.core.models import Competency, Region

    titles = _texts()
    words = [w for t in titles for w in t.split() if len(w) > 5 and w.isalpha()]
    common = [w for w in words[:20000]]
    competencies = list(Competency.objects.values_list("slug", flat=True))
    provinces = list(
        Region.objects.filter(kind="nuts2", country="NL").values_list("code", flat=True)
    )
    mix = {t: [] for t in TYPES}
    for _ in range(count):
        q = " ".join(rng.sample(common, rng.choice([1, 1, 2])))
        mix["text"].append({"q": q, "facets": "false"})
        mix["text+2 filters+facets"].append(
            {
                "q": rng.choice(common),
                "kind": rng.choice(["tender", "funding"]),
                "region": rng.choice(provinces),
            }
        )
        mix["filters"].append(
            {
                "competency": rng.choice(competencies),
                "status": "published",
                "sort": "closing",
                "facets": "false",
            }
        )
        mix["type-ahead"].append({"q": rng.choice(common)[: rng.choice([3, 4, 5])]})
    return mix


def worker(args) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from marketplace.core import clock
    from marketplace.core.reference import reference_data_load
    from search import get_backend
    from search.query import OpportunityQuery
    from tenders.selectors import opportunity_list_public

    call_command("migrate", verbosity=0)
    reference_data_load()
    rng = random.Random(20261127)
    started = time.perf_counter()
    generate(args.n, rng)
    print(f"   generated in {time.perf_counter() - started:.0f} s", flush=True)
    backend = get_backend()
    started = time.perf_counter()
    backend.rebuild(progress=False)
    backend.refresh()
    index_seconds = time.perf_counter() - started
    print(f"   indexed in {index_seconds:.0f} s ({backend.count():,} documents)", flush=True)

    mix = queries(random.Random(7), args.queries + 10)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    visible = opportunity_list_public()
    api: dict[str, list[float]] = {t: [] for t in TYPES}
    engine: dict[str, list[float]] = {t: [] for t in TYPES}
    for t in TYPES:
        for n, params in enumerate(mix[t]):
            path = "/api/v1/search/suggest/" if t == "type-ahead" else "/api/v1/search/"

            def through_api(path=path, params=params):
                started = time.perf_counter()
                response = client.get(path, params, secure=True)  # HTTPS, as in production
                assert response.status_code == 200, response.content[:500]
                return time.perf_counter() - started

            def engine_only(t=t, params=params):
                started = time.perf_counter()
                if t == "type-ahead":
                    backend.suggest(params["q"], visible=visible)
                else:
                    query = OpportunityQuery.from_params(params, page_size=20)
                    backend.engine_search(
                        query, now=clock.now(), facets=params.get("facets") != "false"
                    )
                return time.perf_counter() - started

            # Whichever runs second finds the engine's caches warm: take turns.
            if n % 2:
                api_seconds, engine_seconds = through_api(), engine_only()
            else:
                engine_seconds, api_seconds = engine_only(), through_api()
            if n >= 10:  # warm-up
                api[t].append(api_seconds)
                engine[t].append(engine_seconds)
    result = {
        "backend": backend.name,
        "n": args.n,
        "index_seconds": index_seconds,
        "api": {t: _percentiles(v) for t, v in api.items()},
        "engine": {t: _percentiles(v) for t, v in engine.items()},
    }
    if backend.name == "elasticsearch":
        names = list(backend.client.indices.get(index=f"{backend.prefix}-*").body)
        for name in names:
            backend.client.indices.delete(index=name, ignore_unavailable=True)
    print("RESULT " + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
