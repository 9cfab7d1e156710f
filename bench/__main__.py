"""Run every benchmark in bench/: `python -m bench [--smoke] [names...]`."""

from __future__ import annotations

import argparse
import pkgutil
import subprocess
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to check they still run")
    parser.add_argument(
        "names", nargs="*", help=f"which benchmarks (default all: {', '.join(available())})"
    )
    # Options the runner does not know (e.g. `import --databases sqlite`) go to each benchmark.
    args, extra = parser.parse_known_args(argv)
    if any(name.startswith("-") for name in args.names):
        parser.error(f"options go after the benchmark names: {' '.join(args.names)}")
    names = args.names or available()
    if not names:
        print("No benchmarks yet.")
        return 0
    failed = 0
    for name in names:
        print(f"== bench/{name} ==", flush=True)
        # Each benchmark in its own process: each sets up Django on its own throwaway services.
        code = (
            "import importlib, sys; "
            f"sys.exit(importlib.import_module('bench.{name}').main(sys.argv[1:]))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, *(["--smoke"] if args.smoke else []), *extra], check=False
        )
        if result.returncode:
            print(f"bench/{name} failed with exit code {result.returncode}", flush=True)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
