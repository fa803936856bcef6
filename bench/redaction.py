"""How well the redactor holds: the secret kinds it catches, and the lines of
ordinary code it changes (its false positives) over a real corpus.

    python bench/redaction.py                    # the standard library
    python bench/redaction.py --corpus ~/src/django --show 40

A changed line is a line of the corpus that redaction alters. Some are real
(test keys and passwords in the corpus); `--show` prints a sample to judge.
"""
from __future__ import annotations

import argparse
import os
import sys
import sysconfig
import time
from typing import List, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from secret_kinds import KINDS  # noqa: E402

from howto_hook.generate.redact import REDACTED, redact  # noqa: E402


def kinds() -> Tuple[int, List[str]]:
    leaked = [k.name for k in KINDS if k.secret in redact(k.source)]
    return len(KINDS) - len(leaked), leaked


def corpus(root: str) -> Tuple[int, int, int, float, List[str]]:
    """(files, lines, changed lines, seconds, samples) over every .py file below root."""
    files = lines = changed = 0
    samples: List[str] = []
    took = 0.0
    for base, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__"))
        for name in sorted(names):
            if not name.endswith(".py"):
                continue
            path = os.path.join(base, name)
            try:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
            except (UnicodeDecodeError, OSError):
                continue
            start = time.perf_counter()
            out = redact(text)
            took += time.perf_counter() - start
            files += 1
            before = text.splitlines()
            lines += len(before)
            if out == text:
                continue
            kept = set(before)
            for line in out.splitlines():
                if REDACTED in line and line not in kept:
                    changed += 1
                    samples.append(f"{os.path.relpath(path, root)}: {line.strip()[:140]}")
    return files, lines, changed, took, samples


# Texts built to be slow: each must stay about linear in its length.
WORST = {
    "open triple quote, escaped quotes": "password = '''" + "\\'" * 5000,
    "open quote, escaped quotes": "password = '" + "\\'" * 5000,
    "chained assignments": "password=" * 5000,
    "nested login calls": "login(" * 5000,
    "nested calls after a name": "password = f(" * 3000,
    "secret words": "token " * 20000,
}


def worst() -> List[str]:
    rows = []
    for what, text in WORST.items():
        start = time.perf_counter()
        redact(text)
        redact(text, prose=True)
        rows.append(f"  {what} ({len(text)} characters): {time.perf_counter() - start:.2f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=sysconfig.get_paths()["stdlib"])
    parser.add_argument("--show", type=int, default=0, help="print this many changed lines")
    args = parser.parse_args()
    caught, leaked = kinds()
    print(f"secret kinds redacted: {caught} of {len(KINDS)}"
          + (f" (still sent: {', '.join(leaked)})" if leaked else ""))
    print("texts built to be slow:")
    print("\n".join(worst()))
    files, lines, changed, took, samples = corpus(args.corpus)
    print(f"corpus {args.corpus}: {files} files, {lines} lines; redaction changed {changed} "
          f"lines ({100.0 * changed / max(lines, 1):.3f}%) in {took:.1f} s")
    for s in samples[:args.show]:
        print("  " + s)


if __name__ == "__main__":
    main()
