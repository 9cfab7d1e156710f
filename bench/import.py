"""Import throughput: eForms and OCDS notices per second, with indexing hooks, and peak memory.

`python -m bench import` (or `--smoke`). Runs on a throwaway SQLite database (or DATABASE_URL),
with the search hooks on (tenders.hooks: the configured receivers run after each batch commits).
The real notices in data/ are copied with fresh notice ids and procedure ids to reach the sizes.
Target (DESIGN.md): at least 500 notices per second.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

TARGET = 500


def _setup(tmp: Path) -> None:
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ.setdefault("KANSEN_VAR_DIR", str(tmp / "var"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from marketplace.core.reference import reference_data_load

    reference_data_load()


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


def _measure(label: str, run) -> tuple[float, int, int]:
    def cpu() -> float:
        own, children = (
            resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started, cpu_started = time.perf_counter(), cpu()
    report = run()
    elapsed, cpu_used = time.perf_counter() - started, cpu() - cpu_started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    done = report.created + report.updated + report.unchanged
    rate = report.total / elapsed if elapsed else 0.0
    print(
        f"{label:<26} {report.total:>6} notices in {elapsed:6.2f} s = {rate:5.0f} notices/s "
        f"(CPU {cpu_used:5.2f} s, {report.total / cpu_used if cpu_used else 0:5.0f} per CPU-second; "
        f"{report.summary()}); peak resident memory so far {peak / 2**20:.0f} MiB",
        flush=True,
    )
    assert done + len(report.problems) == report.total
    return rate, report.total, peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench import", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes")
    parser.add_argument("--eforms", type=int, default=5000, help="eForms notices")
    parser.add_argument("--ocds", type=int, default=5000, help="OCDS releases (one per ocid)")
    parser.add_argument("--workers", type=int, default=2, help="eForms parsing processes")
    args = parser.parse_args(argv)
    if args.smoke:
        args.eforms, args.ocds = 200, 200
    with tempfile.TemporaryDirectory(prefix="kansen-bench-import-") as tmp_name:
        tmp = Path(tmp_name)
        _setup(tmp)
        from django.conf import settings

        from tenders.opendata.runs import eforms_items, ocds_items
        from tenders.services.imports import items_import

        notices = tmp / "eforms"
        notices.mkdir()
        _eforms_copies(notices, args.eforms)
        releases = tmp / "releases.jsonl"
        _ocds_copies(releases, args.ocds)
        print(
            f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
            f"search backend {settings.SEARCH_BACKEND}, eForms parsing workers {args.workers}",
            flush=True,
        )
        rates = []
        rates.append(
            _measure(
                "eForms, first import",
                lambda: items_import(items=eforms_items([notices], workers=args.workers)),
            )[0]
        )
        _measure(
            "eForms, again (unchanged)",
            lambda: items_import(items=eforms_items([notices], workers=args.workers)),
        )
        rates.append(
            _measure("OCDS, first import", lambda: items_import(items=ocds_items([releases])))[0]
        )
        _measure("OCDS, again (unchanged)", lambda: items_import(items=ocds_items([releases])))
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak resident memory of this process: {max_rss:.0f} MiB")
        print(f"load average (other work on this machine): {os.getloadavg()[0]:.1f}")
    slowest = min(rates)
    verdict = "meets" if slowest >= TARGET else "misses"
    print(f"slowest first import: {slowest:.0f} notices/s; {verdict} the target of {TARGET}/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
