"""How many usage examples the runner judges per second.

A project of N modules, each with a few functions and one guided definition
whose example imports the module, a stdlib module or two, and calls it; the
runner judges every example (each alone, in the sandbox) with `--jobs`
children side by side. Prints examples per second, the median of three runs.

    python bench/runner_bench.py [--examples 300] [--jobs 2]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from howto_hook import examples

MODULE = '''\
import json
import textwrap


def shout_{n}(text: str) -> str:
    return textwrap.shorten(json.dumps(text.upper()), 40)
'''

EXAMPLE = "import json\nfrom mod_{n} import shout_{n}\n\nassert shout_{n}('hi') == '\"HI\"'\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        for n in range(args.examples):
            with open(os.path.join(root, f"mod_{n}.py"), "w") as f:
                f.write(MODULE.format(n=n))
        items = [examples.Example(str(n), EXAMPLE.format(n=n), (root,))
                 for n in range(args.examples)]
        rates = []
        for _ in range(3):
            runner = examples.Runner(sys.executable, timeout=10.0, jobs=args.jobs)
            started = time.perf_counter()
            results = runner.run(items)
            took = time.perf_counter() - started
            bad = [r for r in results if not r.ok]
            assert not bad, bad[:3]
            rates.append(len(items) / took)
        print(f"{args.examples} examples, {args.jobs} jobs: "
              f"{statistics.median(rates):.0f} examples/s (runs: "
              f"{', '.join(f'{r:.0f}' for r in rates)})")


if __name__ == "__main__":
    main()
