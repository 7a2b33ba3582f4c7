"""``python -m bench [name ...]``: run the named benchmarks (default: all).

Each benchmark is a module ``bench/<name>.py`` with a ``main()``."""

import importlib
import sys

BENCHMARKS = ("imports", "kpis", "pages", "lighthouse")


def run(names):
    for name in names or BENCHMARKS:
        if name not in BENCHMARKS:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHMARKS)}")
        print(f"== {name}")
        importlib.import_module(f"bench.{name}").main()


if __name__ == "__main__":
    run(sys.argv[1:])
