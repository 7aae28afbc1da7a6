"""Dispatcher behind `scripts/bench`: each benchmark is a module with `add_arguments` and `main`.

A benchmark module `scripts/bench_<name>.py` registers itself below; it must expose
`add_arguments(parser)` and `main(args) -> dict` (the figures, printed as JSON).
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHMARKS = {
    # name on the command line: module under scripts/
    "due-dates": "bench_due_dates",
    "intake": "bench_intake",
    "sweep": "bench_sweep",
    "kb": "bench_kb",
    "stats": "bench_stats",
    "webhook": "bench_webhook",
    "suggest": "bench_suggest",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/bench", description="Print benchmark figures as JSON.")
    sub = parser.add_subparsers(dest="name", required=True)
    modules = {}
    for name, module_name in BENCHMARKS.items():
        try:
            module = importlib.import_module(f"scripts.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"scripts.{module_name}":
                raise
            continue  # not built yet
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0]))
    args = parser.parse_args(argv)
    figures = modules[args.name].main(args)
    json.dump(figures, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
