"""howto-check, stage by stage: read here first.

    cli      the command line, parsed into one frozen Options
    plan     the settings, the change, the files: the jobs
    workers  each job checked or fixed, in worker processes for many files
    land     fixed files written (or shown with --diff) as they are ready
    output   violations, summary, hints and the exit status

Everything a user can get wrong ends in one line on stderr and exit status
2, never a traceback.
"""
from __future__ import annotations

import os
import sys
from typing import Optional, Sequence

from howto_hook import cli, diff, examples, land, output, plan, streams, workers
from howto_hook.cli import PROG, Options
from howto_hook.config import ConfigError
from howto_hook.discover import UsageError


def run(options: Options) -> int:
    """One run of the command line; returns the exit status."""
    if options.explain:
        sys.stdout.write(cli.explain(options.explain))
        return 0
    cli.refuse_conflicts(options)
    if options.stdin_filename:
        from howto_hook import stdin

        return stdin.run(options, os.getcwd())
    if options.batch:
        from howto_hook import batch  # the Batch API commands, separate from a run

        return batch.run(options, os.getcwd())
    work = plan.make(options, os.getcwd())
    if work.note:
        sys.stderr.write(streams.shown(work.note) + "\n")
    if options.add_noqa:
        return land.add_noqa(work.jobs, work.settings)
    known = output.load_baseline(options, work.settings)
    run_examples = examples.wanted(work)
    if run_examples:  # HOW403: which interpreter, said on stderr
        work = examples.prepare(work, fixing=options.fixing)
    tally = None
    fixed = ()
    if options.fixing:
        tally = land.FixTally()
        fixes = workers.fix(work, options, tally)
        results = [f.remaining for f in fixes]
        fixed = [(f.display, q) for f in fixes for q in f.fixed]  # already run
    else:
        results = workers.check(work, options)
    if run_examples:
        results = examples.stage(work, results, skip=fixed)
    return output.finish(options, work, results, known, tally)


def main(argv: Optional[Sequence[str]] = None) -> int:
    # a cp1252 pipe must not turn a file named 日本.py into a crash
    streams.tolerant(sys.stdout)
    streams.tolerant(sys.stderr)
    try:
        options = cli.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # --help, --version and argument errors
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    try:
        return run(options)
    except (UsageError, ConfigError, diff.GitError) as e:
        sys.stderr.write(streams.shown(f"{PROG}: error: {e}") + "\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as e:  # an internal error: say so in one line, no traceback
        if os.environ.get("HOWTO_DEBUG"):
            raise
        sys.stderr.write(streams.shown(f"{PROG}: internal error: {type(e).__name__}: {e} ")
                         + "(set HOWTO_DEBUG=1 for the traceback and please report it)\n")
        return 2


def main_entry() -> None:
    raise SystemExit(main())
