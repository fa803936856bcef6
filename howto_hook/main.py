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

from howto_hook import PROG, __version__

# typing.TYPE_CHECKING without importing typing, which by itself doubles the
# time of `howto-check --version` (it loads re, functools, collections...);
# type checkers take any name TYPE_CHECKING as True.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence

    from howto_hook.cli import Options


def run(options: Options) -> int:
    """One run of the command line; returns the exit status."""
    from howto_hook import cli, streams

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
    # Each stage is imported when the run reaches it, so that --version, a
    # commit with no Python file and a plain check load only what they use
    # (tests/test_speed.py lists the modules each loads).
    from howto_hook import output, plan

    work = plan.make(options, os.getcwd())
    if work.note:
        sys.stderr.write(streams.shown(work.note) + "\n")
    if options.add_noqa:
        from howto_hook import land

        return land.add_noqa(work.jobs, work.settings)
    known = output.load_baseline(options, work.settings)
    if known and options.fixing and work.change is None:
        from howto_hook import baseline

        # a whole-repository fix leaves what the baseline records alone
        # (--no-baseline fixes it); a change's definitions are fixed in full
        work = work._replace(jobs=[j._replace(baselined=baseline.spared(
            known, j.path, work.settings.root)) for j in work.jobs])
    run_examples = plan.runs_examples(work)
    if run_examples or options.fixing:  # which interpreter, said on stderr
        from howto_hook import examples

        work = examples.prepare(work, fixing=options.fixing)
    tally = None
    fixed = ()
    if options.fixing:
        from howto_hook import fixrun, land

        tally = land.FixTally()
        fixes = fixrun.fix(work, options, tally)
        results = [f.remaining for f in fixes]
        fixed = [(f.display, q) for f in fixes for q in f.fixed]  # already run
    elif work.jobs:
        from howto_hook import workers

        if not run_examples and output.streams_report(options, known):
            # each file's lines written as its result comes: memory flat
            # in the number of files
            streamed = output.Streamed(options, work)
            workers.check(work, options, streamed.take)
            return output.finish_streamed(options, work, streamed)
        results = workers.check(work, options)
    else:
        results = []
    if run_examples:
        results = examples.stage(work, results, skip=fixed, tally=tally)
    elif tally is not None and examples.wanted(work):  # a fix ran its candidates by default
        sys.stderr.write(examples.fix_line(tally.examples, tally.fixed, tally.reasons))
    return output.finish(options, work, results, known, tally)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        # what pre-commit and installers ask most: answered before the
        # command line, the settings and git's shell are imported (argparse
        # would print the same line: tests/test_speed.py compares them)
        sys.stdout.write(f"{PROG} {__version__}\n")
        return 0
    from howto_hook import cli, diff, streams
    from howto_hook.config import ConfigError
    from howto_hook.discover import UsageError

    # a cp1252 pipe must not turn a file named 日本.py into a crash
    streams.tolerant(sys.stdout)
    streams.tolerant(sys.stderr)
    if args[:1] == ["server"]:  # the language server, a command of its own
        try:
            from howto_hook import server
        except ImportError as e:
            sys.stderr.write(f"{PROG}: error: the language server needs pygls ({e}); "
                             "install howto-hook[server]\n")
            return 2
        return server.main(args[1:])
    try:
        options = cli.parse_args(args)
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
