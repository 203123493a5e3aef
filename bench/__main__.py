"""Run every benchmark (``bench/bench_*.py``) and print one JSON object.

Usage: ``python -m bench [NAME ...]`` — without names all benchmarks run.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_")
                           for p in Path(__file__).parent.glob("bench_*.py"))
    results: dict[str, object] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    for name in names:
        module = importlib.import_module(f"bench.bench_{name}")
        started = time.perf_counter()
        results[name] = module.run()
        print(f"bench {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
