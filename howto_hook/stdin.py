"""`howto-check --stdin-filename PATH -`: an editor's unsaved buffer.

The source comes from standard input and is checked as if it lived at PATH:
PATH picks the configuration, the scope, the exclusions and the module path.
The change is the buffer against PATH's committed version when git has one
(every definition otherwise, or with --all). With --fix the fixed source
(the buffer unchanged when nothing was fixed) goes to stdout and nothing to
disk; the violations that remain go to stderr.
"""
from __future__ import annotations

import contextlib
import difflib
import os
import sys
from difflib import SequenceMatcher
from typing import Any, Callable, FrozenSet, List, Optional, Tuple

from howto_hook import diff, examples, output, plan as plans
from howto_hook.check import FileResult, check_source, decode_exact, not_checked
from howto_hook.cli import PROG, Options
from howto_hook.config import Settings
from howto_hook.discover import display, is_excluded
from howto_hook.fix import fix_data
from howto_hook.streams import diff_name, relative, shown


def changed_lines(old: bytes, new: bytes) -> FrozenSet[int]:
    """Lines of `new` (1-based) that differ from `old`, as git's diff marks
    them: added and modified lines, and both lines around a deletion."""
    a = old.split(b"\n")
    b = new.split(b"\n")
    out: List[int] = []
    for tag, _, _, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out.extend(range(j1 + 1, j2 + 1))
        elif tag == "delete":
            out.extend(n for n in (j1, j1 + 1) if 1 <= n <= len(b))
    return frozenset(out)


def committed(path: str, cwd: str) -> Optional[bytes]:
    """PATH as HEAD holds it; None outside git, before the first commit, or
    when HEAD has no such file (a new file is wholly new)."""
    repo = diff.repository(cwd)
    if repo is None or not repo.has_head:
        return None
    rel = relative(os.path.realpath(path), os.path.realpath(repo.root))
    if rel.startswith("..") or os.path.isabs(rel):  # outside, or on another drive
        return None
    proc = diff.git(["show", f"HEAD:{rel.replace(os.sep, '/')}"], repo.root, check=False)
    return proc.stdout if proc.returncode == 0 else None


def _copy_rest(data: bytes) -> None:
    """`data` and the rest of stdin to stdout, unchanged, a chunk at a time (an
    editor replaces its buffer with stdout, so it must get the whole buffer)."""
    sys.stdout.flush()
    out = sys.stdout.buffer
    out.write(data)
    while True:
        chunk = sys.stdin.buffer.read(1 << 20)
        if not chunk:
            break
        out.write(chunk)
    out.flush()


def _isolated(work: Callable[[], Any], limit: float, what: str) -> Tuple[Any, str]:
    """(work's result, "") from a forked worker stopped after `limit` seconds,
    as a file's check runs; (None, the HOW002 reason) when it did not finish
    (a timeout, or a crash of the parser that must not take this process)."""
    from howto_hook import pool, workers

    workers._preload()  # libcst once, before the fork, as for files
    for outcome in pool.run(lambda _: work(), [0], 1, limit):
        if outcome.status == pool.DONE:
            return outcome.value, ""
        return None, workers._why(outcome, what)
    raise AssertionError("pool.run yields one outcome per job")


def buffer_job(data: bytes, path: str, configs: plans.Configs, cwd: str,
               old: Optional[bytes]) -> Tuple[plans.Job, Optional[diff.Change]]:
    """The job a buffer at `path` is checked as, and its change: the lines
    that differ from `old` (HEAD's copy), or every definition when None."""
    changed: Optional[FrozenSet[int]] = None
    change = None
    if old is not None:
        changed = changed_lines(old, data)
        change = diff.Change({path: changed}, "stdin against HEAD")
    return configs.job(path, display(path, cwd), changed), change


def check_buffer(data: bytes, job: plans.Job, settings: Settings) -> FileResult:
    """The one check of an editor's buffer, pure: `--stdin-filename` and the
    language server (server.py) both call it, so they report the same."""
    return check_source(data, path=job.display, settings=settings, enabled=job.enabled,
                        changed=job.changed)


def run(options: Options, cwd: str) -> int:
    """Check (or fix) the source on stdin; returns the exit status."""
    path = os.path.abspath(options.stdin_filename or "")
    configs = plans.Configs(options, cwd)
    settings = configs.for_file(path)
    fixing = options.fixing
    # never more than max-file-size in memory, as for a file on disk
    data = sys.stdin.buffer.read(settings.max_file_size + 1)
    if is_excluded(path, settings):
        if fixing and not options.diff:
            _copy_rest(data)  # an editor replaces its buffer with stdout
        sys.stderr.write(shown(f"{PROG}: {options.stdin_filename} is excluded; nothing checked")
                         + "\n")
        return 0
    too_large = len(data) > settings.max_file_size
    job, change = buffer_job(data, path, configs, cwd,
                             None if options.all or too_large else committed(path, cwd))
    changed = job.changed
    work = plans.Plan(configs.base, change, [job], 1, options.generator or settings.generator)
    known = output.load_baseline(options, configs.base)
    if too_large:
        if fixing and not options.diff:
            _copy_rest(data)
        reason = (f"not checked: the buffer is larger than max-file-size "
                  f"({settings.max_file_size:,} bytes)")
        with contextlib.redirect_stdout(sys.stderr if fixing else sys.stdout):
            return output.finish(options._replace(fix=False, diff=False), work,
                                 [not_checked(job.display, reason, job.enabled)], known, None)
    if not fixing:
        result, why = _isolated(lambda: check_buffer(data, job, settings),
                                settings.file_timeout, "not checked")
        if result is None:
            result = not_checked(job.display, why, job.enabled)
        results = [result]
        if examples.wanted(work):  # HOW403: the examples import the buffer, not the file
            work = examples.prepare(work)
            results = examples.stage(work, results, buffers={job.path: data})
        return output.finish(options, work, results, known, None)
    from howto_hook.fixrun import _generator

    # the candidates' examples run as a file's do (or, with no interpreter that
    # imports the project, only the project's own are written), against the
    # buffer: the runner overlays the module's text where it is not the disk's
    work = examples.prepare(work, fixing=True)
    job = work.jobs[0]
    settings = job.settings or work.settings
    generator = _generator(work.generator, settings, settings.root, options.no_cache)
    if work.generator == "llm":
        # the model is asked from this process (its client's threads and sockets
        # must not cross a fork); reading the buffer and rewriting it run in
        # forked workers under file-timeout, as for a file (fixrun.run_llm_fixes)
        from howto_hook.fix import finish_safely, plan

        planned, why = _isolated(lambda: plan(
            data, path=path, display=job.display, settings=settings, enabled=job.enabled,
            changed=changed, generator_name=generator.name), settings.file_timeout, "not fixed")
        fixed = None
        if planned is not None:
            outcomes = generator.generate(list(planned.requests)) if planned.requests else []
            fixed, why = _isolated(lambda: finish_safely(
                planned, outcomes, settings=settings, enabled=job.enabled),
                settings.file_timeout, "not fixed")
    else:
        fixed, why = _isolated(lambda: fix_data(
            data, path=path, display=job.display, settings=settings, enabled=job.enabled,
            changed=changed, generator=generator), settings.file_timeout, "not fixed")
    if fixed is None:
        if not options.diff:
            _copy_rest(data)
        with contextlib.redirect_stdout(sys.stderr):
            return output.finish(options._replace(fix=False, diff=False), work,
                                 [not_checked(job.display, why, job.enabled)], known, None)
    for qualname, line, reason in fixed.failed:
        sys.stderr.write(shown(f"{fixed.display}:{line}: cannot fix {qualname}: {reason}") + "\n")
    after = fixed.after if fixed.after is not None else data
    if options.diff:
        old_text, _ = decode_exact(data)
        new_text, _ = decode_exact(after)
        sys.stdout.writelines(difflib.unified_diff(
            old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
            fromfile=diff_name(f"a/{job.display}"), tofile=diff_name(f"b/{job.display}")))
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(after)
        sys.stdout.buffer.flush()
    n = len(fixed.fixed)
    sys.stderr.write(f"{'Would fix' if options.diff else 'Fixed'} {n} "
                     f"definition{'s' if n != 1 else ''} in {shown(job.display)} (stdin).\n")
    # stdout holds the source: what still fails goes to stderr
    with contextlib.redirect_stdout(sys.stderr):
        return output.finish(options._replace(fix=False, diff=False), work,
                             [fixed.remaining], known, None)
