"""Time a warm `howto-check --all` with many exclude patterns (issue 21:
20,000 globs turned a 0.6 s run into 17.6 s).

    python bench/bench_exclude.py                 # the standard library, 20,000 patterns
    python bench/bench_exclude.py --patterns 5000 --runs 5
    python bench/bench_exclude.py --kind wild     # every pattern a wildcard (worst case)

The corpus is copied into a temporary git repository with a pyproject.toml
holding the patterns (none of which matches, so every file is still
checked); the cache is warmed once, then each run is timed. The same run
without the patterns is timed beside it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from typing import List


def timed(argv: List[str], cwd: str, runs: int) -> List[float]:
    subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--patterns", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kind", choices=("mixed", "wild"), default="mixed",
                        help="mixed: half plain names, half anchored paths with ** and *; "
                             "wild: every pattern an unanchored wildcard")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "corpus")
        shutil.copytree(args.corpus, root, ignore=shutil.ignore_patterns(
            "site-packages", "__pycache__", "test", "tests", "idlelib", "*.pyc"))
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        files = sum(len([f for f in fs if f.endswith(".py")]) for _, _, fs in os.walk(root))
        howto = [sys.executable, "-m", "howto_hook", "--all", "--exit-zero"]
        plain = timed(howto, root, args.runs)
        if args.kind == "mixed":  # half unanchored names, half anchored paths
            globs = [f"nomatch_{i}" if i % 2 else f"nomatch/**/dir_{i}/*.py"
                     for i in range(args.patterns)]
        else:  # what no set or first directory can narrow down
            globs = [f"*_nomatch_{i}.py" for i in range(args.patterns)]
        with open(os.path.join(root, "pyproject.toml"), "w", encoding="utf-8") as f:
            f.write("[tool.howto]\nextend-exclude = [\n")
            f.writelines(f'  "{g}",\n' for g in globs)
            f.write("]\n")
        many = timed(howto, root, args.runs)
        print(f"{files} files, warm cache, {args.kind} patterns, median of {args.runs} "
              "(min-max):")
        for label, ts in (("no patterns", plain), (f"{args.patterns} patterns", many)):
            print(f"  {label:>16}: {statistics.median(ts):.2f} s "
                  f"({min(ts):.2f}-{max(ts):.2f})")


if __name__ == "__main__":
    main()
