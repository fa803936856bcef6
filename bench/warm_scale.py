"""Warm `--all` on large trees: CPU per file and peak memory of several
versions of the code, in turn on the same trees (docs/speed.md's scaling
table at 1,000, 5,000 and 20,000 files).

    python bench/warm_scale.py --python PLAIN_VENV/bin/python \\
        --sdist requests-2.32.3.tar.gz --sizes 1000,5000,20000 --rounds 3 \\
        --version start=/path/to/old/checkout --version now=

Each --version is NAME=DIRECTORY, the directory put first on PYTHONPATH
(empty: the interpreter's own howto_hook). The trees are copies of the
sdist's modules in numbered directories. Their caches are filled without
parsing every copy, which takes hours at 20,000 files on a busy machine:
each distinct file is checked once and its entry stored under every copy's
own key through the package's own `cache.ResultCache` (an entry holds no
path, and the copies share bytes and package layout, so each entry is the
one a cold run writes; checked against a cold run, byte for byte, on 190
files). Standard library only, like bench/speed.py, whose helpers it uses.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import speed  # noqa: E402  (bench/speed.py: measure, spread, the corpora)

# Run by the interpreter under test, with each version's PYTHONPATH: fills
# the tree's cache as a cold `--all` would (the code before issue 24 named
# entries with cache.key alone).
FILL = """
import os, sys
from howto_hook import cache, cli, plan
from howto_hook.safeio import read_regular
from howto_hook.workers import _run_one
root = os.getcwd()
work = plan.make(cli.parse_args(["--all"]), root)
cache_root = work.cache_root or work.settings.root
cache.ensure_dir(cache_root)
store = cache.ResultCache(cache_root)
twins = {}
for job in work.jobs:
    own = job.settings or work.settings
    data = read_regular(job.path, own.max_file_size)
    token = cache.settings_token(own, job.enabled)
    k = store.key(data, job.path, token) if hasattr(store, "key") else cache.key(data, job.path, token)
    if store.get(k, job.display) is not None:
        continue
    twin = job.display.split(os.sep, 1)[1]  # the path below copyN/
    if twin not in twins:
        twins[twin] = _run_one(job, work.settings, cache_root)  # checked and stored
    else:
        store.put(k, twins[twin])
"""


def _env(path: str) -> Optional[Dict[str, str]]:
    return {**os.environ, "PYTHONPATH": path} if path else None


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--python", default=sys.executable)
    p.add_argument("--sdist", required=True, help="the sdist whose modules are copied")
    p.add_argument("--sizes", default="1000,5000,20000")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--version", action="append", default=[], metavar="NAME=DIR")
    args = p.parse_args(argv)
    versions = [v.split("=", 1) for v in args.version] or [["now", ""]]
    python = os.path.abspath(args.python) if os.sep in args.python else args.python
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode (speed.py)
    cmd = [python, "-c", speed.HOWTO, "--all", "--exit-zero"]
    print(f"| files | {' | '.join(n for n, _ in versions)} | "
          f"{' | '.join(f'{n} / {versions[0][0]}' for n, _ in versions[1:])} | peak MiB |")
    print("|" + " --- |" * (2 * len(versions) + 1))
    with tempfile.TemporaryDirectory() as work:
        _, root = speed.unpack(args.sdist, work)
        files = speed.source_files(root)
        for size in (int(s) for s in args.sizes.split(",") if s):
            tree = os.path.join(work, f"copies-{size}")
            speed.copy_tree(files, root, tree, size)
            runs: Dict[str, List[speed.Run]] = {name: [] for name, _ in versions}
            for _, path in versions:
                subprocess.run([python, "-c", FILL], cwd=tree, env=_env(path), check=True)
                speed.measure(cmd, tree, _env(path))  # warm-up: bytecode, file cache
            for _ in range(args.rounds):
                for name, path in versions:
                    runs[name].append(speed.measure(cmd, tree, _env(path)))
            ms = 1000 / size
            base = runs[versions[0][0]]
            cells = [speed.spread([r.cpu * ms for r in runs[n]], 3) for n, _ in versions]
            ratios = [speed.spread([a.cpu / b.cpu for a, b in zip(runs[n], base)])
                      for n, _ in versions[1:]]
            peaks = " / ".join(f"{max(r.peak for r in runs[n]) / 1024:.0f}" for n, _ in versions)
            print(f"| {size:,} | {' | '.join(cells)} | {' | '.join(ratios)} | {peaks} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
