"""Import throughput: eForms and OCDS notices per second, with indexing, and peak memory.

`python -m bench import [--smoke] [--databases sqlite,postgresql]`. Each database gets a fresh
throwaway one (SQLite in a temp folder; PostgreSQL from bench/_stack.py) and its own process.
The notices go through the management commands (`import_eforms`, `import_ocds`) exactly as an
operator runs them, with the hooks on: every changed opportunity is indexed and its events go
through alert processing (eagerly, in-process: no broker, the embedded default). Settings are
production-like (DEBUG off); `DEBUG=True python -m bench import` measures the development setting.
The real notices in data/ are copied with fresh notice ids and procedure ids to reach the sizes.
Target (DESIGN.md): at least 500 notices per second.

Then `search_index rebuild` runs in a process of its own (as an operator runs it) over the
imported opportunities, and again after they are copied in the database to `--rebuild`
documents (100,000; copies with new ids and procedure ids, their codes with them): its peak
memory should not grow with the number of documents (target: a rebuild of 100,000 documents in
bounded memory).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

TARGET = 500
SUMMARY = re.compile(
    r"(?P<total>\d+) notices: (?P<created>\d+) created, (?P<updated>\d+) updated, "
    r"(?P<unchanged>\d+) unchanged, (?P<older>\d+) older than imported, (?P<invalid>\d+) invalid, "
    r"(?P<unsupported>\d+) unsupported"
)


def _eforms_copies(folder: Path, count: int) -> int:
    from django.conf import settings

    sources = sorted((Path(settings.DATA_DIR) / "ted_real_eforms_notices").rglob("*.xml"))
    sources += [
        p
        for p in sorted((Path(settings.DATA_DIR) / "eforms-sdk-1.15.1" / "notices").glob("c*.xml"))
        if "change" not in p.name
    ]
    texts = [p.read_text(encoding="utf-8") for p in sources]
    id_pattern = re.compile(r'(<cbc:ID schemeName="notice-id">)[^<]+(</cbc:ID>)')
    folder_pattern = re.compile(r"(<cbc:ContractFolderID>)[^<]+(</cbc:ContractFolderID>)")
    for n in range(count):
        text = texts[n % len(texts)]
        text = id_pattern.sub(rf"\g<1>{uuid.uuid4()}\g<2>", text, count=1)
        text = folder_pattern.sub(rf"\g<1>{uuid.uuid4()}\g<2>", text, count=1)
        (folder / f"{n:06d}.xml").write_text(text, encoding="utf-8")
    return count


def _ocds_copies(path: Path, count: int) -> int:
    import json

    from django.conf import settings

    folder = Path(settings.DATA_DIR) / "ocds"
    releases = []
    for name in (
        "uk_contracts_finder_releases.jsonl",
        "uk_public_contracts_scotland_releases.jsonl",
        "uk_sell2wales_releases.jsonl",
    ):
        releases += [json.loads(line) for line in (folder / name).read_text().splitlines() if line]
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            release = dict(releases[n % len(releases)])
            release["ocid"] = f"ocds-bench-{n}"
            release["id"] = f"{n}"
            fh.write(json.dumps(release) + "\n")
    return count


def _command(name: str, *args: str) -> dict[str, int]:
    """Run a management command as an operator would (no progress bar); its summary line."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command(name, *args, "--no-progress", stdout=out, stderr=err)
    match = SUMMARY.search(out.getvalue())
    if match is None:
        raise RuntimeError(f"{name} printed no summary: {out.getvalue()!r} {err.getvalue()!r}")
    return {key: int(value) for key, value in match.groupdict().items()}


def _cpu() -> float:
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _cpu_wait() -> float:
    """Seconds this process has waited for a CPU while ready to run (Linux schedstat): how much
    the other work on the machine held it up."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def _measure(label: str, run) -> float:
    started, cpu_started, wait_started = time.perf_counter(), _cpu(), _cpu_wait()
    counts = run()
    elapsed, cpu_used = time.perf_counter() - started, _cpu() - cpu_started
    waited = _cpu_wait() - wait_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = counts["total"]
    rate = total / elapsed if elapsed else 0.0
    print(
        f"{label:<26} {total:>6} notices in {elapsed:6.2f} s = {rate:5.0f} notices/s "
        f"(CPU {cpu_used:5.2f} s with the parsing processes, "
        f"{total / cpu_used if cpu_used else 0:5.0f} per CPU-second; {counts['created']} created, "
        f"{counts['unchanged']} unchanged, {counts['invalid'] + counts['unsupported']} rejected; "
        f"waited {waited:.2f} s for a CPU); peak memory {peak:.0f} MiB",
        flush=True,
    )
    return rate


def _worker(args) -> int:
    """Runs in a process configured for one database (environment set by `main`)."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from marketplace.core.reference import reference_data_load

    reference_data_load()
    tmp = Path(os.environ["KANSEN_VAR_DIR"]).parent
    notices = tmp / "eforms"
    notices.mkdir()
    _eforms_copies(notices, args.eforms)
    releases = tmp / "releases.jsonl"
    _ocds_copies(releases, args.ocds)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(
        f"-- {engine}: search backend {settings.SEARCH_BACKEND}, DEBUG {settings.DEBUG}, "
        f"eForms parsing processes {args.workers}; load average before "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    workers = ("--workers", str(args.workers))
    rates = [
        _measure("eForms, first import", lambda: _command("import_eforms", str(notices), *workers))
    ]
    _measure("eForms, again (unchanged)", lambda: _command("import_eforms", str(notices), *workers))
    rates.append(_measure("OCDS, first import", lambda: _command("import_ocds", str(releases))))
    _measure("OCDS, again (unchanged)", lambda: _command("import_ocds", str(releases)))

    from search.models import SearchDocument
    from suppliers.models_alerts import ProcessedEvent
    from suppliers.outbox import HANDLED_EVENTS
    from tenders.models import Opportunity, OpportunityEvent
    from tenders.services.opportunities import opportunity_close_sweep

    # The periodic close sweep then records a `closed` event for every imported notice whose
    # deadline has passed (search and alerts hear of those too).
    started = time.perf_counter()
    closed = opportunity_close_sweep()
    print(
        f"close sweep after the imports: {closed} closed in {time.perf_counter() - started:.2f} s",
        flush=True,
    )

    opportunities = Opportunity.objects.count()
    print(
        f"{opportunities} opportunities ({Opportunity.objects.open().count()} open now), "
        f"{SearchDocument.objects.count()} indexed, "
        f"{ProcessedEvent.objects.count()} of "
        f"{OpportunityEvent.objects.filter(type__in=HANDLED_EVENTS).count()} events for alerts "
        f"processed; load average after {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    _rebuild_measure()
    if args.rebuild > opportunities:
        started = time.perf_counter()
        total = _multiply_opportunities(args.rebuild)
        print(
            f"copied the opportunities in the database to {total} "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        _rebuild_measure()
    slowest = min(rates)
    if args.smoke:
        verdict = f"smoke sizes measure start-up, not the target of {TARGET}/s"
    else:
        verdict = ("meets" if slowest >= TARGET else "misses") + f" the target of {TARGET}/s"
    print(f"{engine}: slowest first import {slowest:.0f} notices/s; {verdict}", flush=True)
    return 0


REBUILD_CODE = """
import io, sys, time
from pathlib import Path
import django


def peak():
    # VmHWM: this process's own peak (getrusage's ru_maxrss keeps the parent's across exec).
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


django.setup()
from django.core.management import call_command
from search import documents
documents.public_ids()  # the models and the database connection, before the measurement
before = peak()
started = time.perf_counter()
out = io.StringIO()
call_command("search_index", "rebuild", "--no-progress", stdout=out)
elapsed = time.perf_counter() - started
print(f"{elapsed:.2f} {before:.0f} {peak():.0f} " + out.getvalue().strip().splitlines()[-1])
"""


def _rebuild_measure() -> None:
    """`search_index rebuild` in a process of its own: time and peak memory."""
    from search.models import SearchDocument

    result = subprocess.run(
        [sys.executable, "-c", REBUILD_CODE], capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise RuntimeError(f"search_index rebuild failed: {result.stderr[-2000:]}")
    elapsed, before, peak, said = result.stdout.strip().splitlines()[-1].split(" ", 3)
    documents = SearchDocument.objects.count()
    print(
        f"search_index rebuild: {documents} documents in {float(elapsed):.1f} s = "
        f"{documents / float(elapsed):.0f} documents/s; peak memory {peak} MiB "
        f"({before} MiB before it started) [{said}]; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )


def _multiply_opportunities(target: int) -> int:
    """Copy the opportunities (with their CPV codes and regions) in the database, with new ids
    and procedure ids, until there are at least `target`."""
    from django.db import connection, transaction

    from tenders.models import Opportunity

    meta = Opportunity._meta
    quote = connection.ops.quote_name
    columns = [f.column for f in meta.concrete_fields if not f.primary_key]
    throughs = [
        (Opportunity.cpv_codes.through._meta.db_table, "cpvcode_id"),
        (Opportunity.regions.through._meta.db_table, "region_id"),
    ]
    round_ = 0
    while (count := Opportunity.objects.count()) < target:
        round_ += 1
        top = Opportunity.objects.order_by("-pk").values_list("pk", flat=True).first()
        take = target - count
        selected = ", ".join(f"{quote(c)} || %s" if c == "source_id" else quote(c) for c in columns)
        with transaction.atomic(), connection.cursor() as cursor:
            # Constant names from the model; the values are parameters.
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} (id, {', '.join(map(quote, columns))}) "  # noqa: S608
                f"SELECT id + %s, {selected} FROM {quote(meta.db_table)} "
                "WHERE id <= %s ORDER BY id LIMIT %s",
                [top, f"-copy{round_}", top, take],
            )
            for table, column in throughs:
                cursor.execute(
                    f"INSERT INTO {quote(table)} (opportunity_id, {quote(column)}) "  # noqa: S608
                    f"SELECT opportunity_id + %s, {quote(column)} FROM {quote(table)} "
                    "WHERE opportunity_id <= %s AND opportunity_id + %s IN "
                    f"(SELECT id FROM {quote(meta.db_table)} WHERE id > %s)",
                    [top, top, top, top],
                )
    return Opportunity.objects.count()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, SQLite only")
    parser.add_argument("--eforms", type=int, default=5000, help="eForms notices")
    parser.add_argument("--ocds", type=int, default=5000, help="OCDS releases (one per ocid)")
    parser.add_argument("--workers", type=int, default=2, help="eForms parsing processes")
    parser.add_argument(
        "--rebuild",
        type=int,
        default=100_000,
        help="documents for the second search_index rebuild (0: only the imported ones)",
    )
    parser.add_argument(
        "--databases", default=None, help="comma separated: sqlite, postgresql (default both)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.smoke:
        args.eforms, args.ocds, args.rebuild = 200, 200, 1000
    if args.worker:
        return _worker(args)
    databases = (args.databases or ("sqlite" if args.smoke else "sqlite,postgresql")).split(",")
    from bench import _stack

    failed = 0
    for database in [d.strip() for d in databases if d.strip()]:
        with contextlib.ExitStack() as stack:
            tmp = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="kansen-bench-import-"))
            )
            if database == "postgresql":
                try:
                    url = stack.enter_context(_stack.postgresql())
                except Exception as exc:  # not installed or cannot start: say so, go on
                    print(f"-- postgresql: could not start ({exc}), skipped", flush=True)
                    continue
            elif database == "sqlite":
                url = f"sqlite:///{tmp / 'bench.sqlite3'}"
            else:
                parser.error(f"unknown database {database!r}")
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "marketplace.settings",
                "DATABASE_URL": url,
                "KANSEN_VAR_DIR": str(tmp / "var"),
                "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
            }
            env.setdefault("DEBUG", "False")
            env.setdefault("SECRET_KEY", "kansen-bench-only-" + "Zq8!xW3@pL6#vN1$" * 3)
            env.pop("CELERY_BROKER_URL", None)
            code = (
                "import importlib, sys; "
                "sys.exit(importlib.import_module('bench.import').main(sys.argv[1:]))"
            )
            command = [sys.executable, "-c", code, "--worker", "--workers", str(args.workers)]
            command += ["--smoke"] if args.smoke else []
            command += ["--eforms", str(args.eforms), "--ocds", str(args.ocds)]
            command += ["--rebuild", str(args.rebuild)]
            failed += subprocess.run(command, env=env, check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
