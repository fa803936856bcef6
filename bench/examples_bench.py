"""Do the examples `--fix` writes run? Three real libraries, with and without
`--run-examples`.

For each library: a virtual environment of its own with the library
installed from its sdist (howto-check stays in the environment running this
script, as under pre-commit, and finds the library's through $VIRTUAL_ENV);
a fresh copy of the library's source; `howto-check --all --fix --generator
template [--run-examples]` over its package; then every example in the
fixed copy is run again on the library's environment
(`--run-examples --select HOW403`). The table says, per library and mode,
how many definitions were written, how many examples the second run ran and
how many of those failed, and how many definitions were left unfixed
because no example ran (or for another reason, a failed proof); and what
running the examples adds to a check of the fixed copy, per example (the
median of three checks with and three without `--run-examples`).

    python bench/examples_bench.py                       # the three below
    python bench/examples_bench.py --work /tmp/eb --keep  # keep the copies

Only pure libraries that never touch the network belong here: the
examples are run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from typing import List, NamedTuple, Sequence, Tuple

CORPUS = "/work/corpus"
# (corpus directory, sdist, the package paths to check inside the copy)
LIBRARIES: Tuple[Tuple[str, str, Tuple[str, ...]], ...] = (
    ("more-itertools-10.5.0", "more-itertools-10.5.0.tar.gz", ("more_itertools",)),
    ("toolz-1.0.0", "toolz-1.0.0.tar.gz", ("toolz", "tlz")),
    ("humanize-4.11.0", "humanize-4.11.0.tar.gz", ("src/humanize",)),
)


class Row(NamedTuple):
    library: str
    mode: str  # "--run-examples" or "without"
    written: int  # definitions --fix wrote a guide for
    ran: int  # examples the second run ran
    failed: int  # of those, how many raised or timed out
    unfixed: int  # definitions left as they were because no example ran
    refused: int  # definitions left as they were for another reason (a proof)
    fix_seconds: float
    errors: Counter  # exception names of the failures
    # median seconds of the second run over the fixed copy without and with
    # --run-examples: what running the examples adds, per example
    per_example: float = 0.0


def venv_for(work: str, name: str, sdist: str) -> str:
    """A virtual environment with the library installed; its interpreter."""
    env_dir = os.path.join(work, "venvs", name)
    python = os.path.join(env_dir, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", env_dir], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                        sdist], check=True)
    return python


def fresh_copy(work: str, mode: str, name: str) -> str:
    target = os.path.join(work, "copies", mode, name)
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(os.path.join(CORPUS, name), target,
                    ignore=shutil.ignore_patterns("__pycache__", ".howto_cache", "*.pyc"))
    return target


def howto(args: Sequence[str], cwd: str, venv: str) -> Tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, VIRTUAL_ENV=venv)
    env.pop("OPENAI_API_KEY", None)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "howto_hook", *args], cwd=cwd, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    took = time.monotonic() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"howto-check {' '.join(args)} failed in {cwd}:\n{proc.stderr}")
    return proc, took


_FIXED = re.compile(r"^Fixed (\d+) definitions? in", re.M)
_RAN = re.compile(r"^howto-check: ran (\d+) usage examples?", re.M)
_UNRUN = re.compile(r": cannot fix \S+: the usage example ", re.M)
_CANNOT = re.compile(r": cannot fix \S+: ", re.M)
RUNS = 3  # timings per mode of the second run; the median is kept


def measure(work: str, name: str, sdist: str, packages: Sequence[str], run_examples: bool,
            jobs: int) -> Row:
    python = venv_for(work, name, os.path.join(CORPUS, "sdists", sdist))
    venv = os.path.dirname(os.path.dirname(python))
    mode = "--run-examples" if run_examples else "without"
    copy = fresh_copy(work, "run" if run_examples else "plain", name)
    fix_args = ["--all", "--fix", "--generator", "template", "--no-cache", "--jobs", str(jobs)]
    if run_examples:
        fix_args.append("--run-examples")
    fixed, took = howto([*fix_args, *packages], copy, venv)
    found = _FIXED.search(fixed.stderr)
    written = int(found.group(1)) if found else 0
    unfixed = len(_UNRUN.findall(fixed.stderr))
    refused = len(_CANNOT.findall(fixed.stderr)) - unfixed
    check_args = ["--all", "--select", "HOW403", "--no-cache", "--output-format", "json",
                  "--jobs", str(jobs), *packages]
    check, _ = howto(["--run-examples", *check_args], copy, venv)
    ran_found = _RAN.search(check.stderr)
    ran = int(ran_found.group(1)) if ran_found else 0
    failures = json.loads(check.stdout or "[]")
    errors = Counter(_exception(v["message"]) for v in failures)
    per_example = 0.0
    if run_examples and ran:
        plain = statistics.median(howto(check_args, copy, venv)[1] for _ in range(RUNS))
        running = statistics.median(howto(["--run-examples", *check_args], copy, venv)[1]
                                    for _ in range(RUNS))
        per_example = (running - plain) / ran
    return Row(name, mode, written, ran, len(failures), unfixed, refused, took, errors,
               per_example)


def _exception(message: str) -> str:
    m = re.match(r"the usage example raises (\w+)", message)
    return m.group(1) if m else ("timeout" if "did not finish" in message else "crash")


def table(rows: List[Row]) -> str:
    lines = ["| library | `--fix` | written | run again | failed | left unfixed: no example "
             "ran | left unfixed: other | fix time |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in rows:
        mode = "with `--run-examples`" if r.mode == "--run-examples" else "without"
        lines.append(f"| {r.library} | {mode} | {r.written} | {r.ran} | {r.failed} | "
                     f"{r.unfixed} | {r.refused} | {r.fix_seconds:.1f} s |")
    return "\n".join(lines)


def main(argv: Sequence[str] = ()) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--work", default="/work/scratch/examples/bench",
                   help="where the virtual environments and copies go")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--keep", action="store_true", help="keep the fixed copies")
    args = p.parse_args(list(argv) or None)
    os.makedirs(args.work, exist_ok=True)
    rows: List[Row] = []
    for name, sdist, packages in LIBRARIES:
        for run_examples in (True, False):
            row = measure(args.work, name, sdist, packages, run_examples, args.jobs)
            rows.append(row)
            print(f"{row.library} {row.mode}: written {row.written}, run {row.ran}, failed "
                  f"{row.failed} {dict(row.errors)}, unfixed {row.unfixed}+{row.refused}, "
                  f"fix {row.fix_seconds:.1f} s", file=sys.stderr)
    print(table(rows))
    print()
    for r in rows:
        if r.mode == "--run-examples" and r.ran:
            print(f"- {r.library}: running its {r.ran} examples adds "
                  f"{r.per_example * 1000:.0f} ms per example to a check "
                  f"(median of {RUNS} runs with and without `--run-examples`)")
    if not args.keep:
        shutil.rmtree(os.path.join(args.work, "copies"), ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
