"""Latency of `howto-check server`: from didChange to publishDiagnostics on a
file of about 2,000 lines (median over 20 edits), against one run of
`howto-check --stdin-filename PATH -` on the same buffer.

    python bench/lsp_bench.py                 # 2,000 lines, 20 edits
    python bench/lsp_bench.py --lines 5000 --edits 40

The file lives in a fresh git repository; the buffer changes one definition
against HEAD (the default scope), and each edit types one character into
that definition's docstring. The server runs with the default debounce and
with none, so the figure shows the check itself and what users wait.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import List

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from lsp_client import session

GUIDE = '''    """Add {n} to `value`.

    How to Use This Code Block
    ==========================

    Description
    -----------
    The `step{n}` function adds {n} to `value` and returns the sum.

    Execution Steps
    ---------------
    1. **Add**: Adds {n} to `value`.

    Usage Example
    -------------

    ```python
    total = step{n}(1)
    ```
    """
'''


def source(lines: int) -> str:
    parts: List[str] = []
    n = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(f"def step{n}(value: int) -> int:\n" + GUIDE.format(n=n)
                     + f"    return value + {n}\n\n\n")
        n += 1
    return "".join(parts)


async def server_latency(root: str, buffer: str, edits: int, debounce: float) -> List[float]:
    path = os.path.join(root, "mod.py")
    target = buffer.split("\n").index(
        "    The `step0` function adds 0 to `value`, then returns the sum.")
    out = []
    async with session(root, options={"debounce": debounce}) as c:
        uri = c.open(path, buffer)
        await c.diagnostics(uri)
        for i in range(edits):
            # a vague word typed in and out: the diagnostics change every time
            word = "getting " if i % 2 == 0 else ""
            old = 0 if i % 2 == 0 else len("getting ")
            start = time.perf_counter()
            c.edit(uri, target, 4, 4 + old, word)
            await c.diagnostics(uri)
            out.append(time.perf_counter() - start)
    return out


def stdin_once(root: str, buffer: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "howto_hook", "--stdin-filename", "mod.py", "-"],
                   cwd=root, input=buffer, text=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--edits", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as root:
        text = source(args.lines)
        with open(os.path.join(root, "mod.py"), "w", encoding="utf-8") as f:
            f.write(text)
        env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b",
                   GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "bench"]):
            subprocess.run(["git", *cmd], cwd=root, env=env, check=True)
        buffer = text.replace("adds 0 to `value` and returns", "adds 0 to `value`, then returns")
        print(f"{text.count(chr(10))} lines, {args.edits} edits (median, min-max, seconds)")
        for debounce in (0.0, 0.1):
            times = asyncio.run(server_latency(root, buffer, args.edits, debounce))
            print(f"server, debounce {debounce:.1f} s: didChange -> publishDiagnostics "
                  f"{statistics.median(times):.3f} ({min(times):.3f}-{max(times):.3f})")
        runs = [stdin_once(root, buffer) for _ in range(5)]
        print(f"howto-check --stdin-filename mod.py - (one process, 5 runs): "
              f"{statistics.median(runs):.3f} ({min(runs):.3f}-{max(runs):.3f})")


if __name__ == "__main__":
    main()
