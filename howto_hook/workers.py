"""Running the checks: in forked worker processes (pool.py), largest first,
each file under `file-timeout`; a progress line on a terminal. Fixes run
through the same pool from fixrun.py.

A file whose check takes too long, crashes its worker or raises is reported
on its own (HOW002) and the run goes on. Workers die with the run, however
it ends. Each worker imports libcst on its first parse (fork keeps what the
parent already loaded).

Nothing of the fix path is imported here: a check loads the check path only.
"""
from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Callable, List, Optional

from howto_hook import cache
from howto_hook.cli import PROG, Options
from howto_hook.config import Settings
from howto_hook.model import FileResult
from howto_hook.plan import Job, Plan
from howto_hook.safeio import Refused, read_regular

if TYPE_CHECKING:  # the pool (pickle, threads, selectors) loads when a file is checked
    from howto_hook import pool


def check(plan: Plan, options: Options,
          take: Optional[Callable[[int, FileResult], None]] = None) -> List[FileResult]:
    """Check every job; a whole-tree run reads and fills the result cache.
    With `take`, each result goes there as it comes, with its job's index,
    and none is kept (the report streams them: output.Streamed)."""
    cache_root = None
    if plan.change is None and not options.no_cache and plan.jobs:
        try:
            cache_root = plan.cache_root or plan.settings.root
            cache.ensure_dir(cache_root)
        except OSError:
            cache_root = None  # a read-only tree: run without the cache
    jobs = plan.jobs
    results: List[Optional[FileResult]] = [None] * (len(jobs) if take is None else 0)

    def keep(n: int, result: FileResult) -> None:
        results[n] = result

    todo = list(range(len(jobs)))
    if cache_root is not None:
        todo = _from_cache(jobs, plan.settings, cache.ResultCache(cache_root), take or keep)
    if todo:
        run_jobs([jobs[n] for n in todo], plan.settings, plan.workers, cache_root,
                 take=lambda k, result: (take or keep)(todo[k], result))
    return results  # type: ignore[return-value]  # every slot is filled


def _from_cache(jobs: List[Job], settings: Settings, store: cache.ResultCache,
                take: Callable[[int, FileResult], None]) -> List[int]:
    """Give `take` the results the cache holds, in this process and in one pass (no
    worker, no checker imported for a tree that has not changed); returns the
    jobs left to check. A file that cannot be read is left to its check,
    which reports it."""
    if not os.path.isdir(store.directory):
        return list(range(len(jobs)))  # a first run: nothing to look up
    todo = []
    for n, job in enumerate(jobs):
        own = job.settings or settings
        try:
            data = read_regular(job.path, own.max_file_size)
        except Refused:
            todo.append(n)
            continue
        hit = store.get(store.key(data, job.path, cache.settings_token(own, job.enabled)),
                        job.display)
        if hit is None:
            todo.append(n)
        else:
            take(n, hit)
    return todo


def _run_one(job: Job, settings: Settings, cache_root: Optional[str] = None) -> FileResult:
    """Check one job in a worker; with `cache_root`, the result is stored (the
    parent found none there)."""
    from howto_hook.check import check_file, check_source, not_checked, read_source

    settings = job.settings or settings  # a file with a configuration of its own
    if cache_root is None or job.changed is not None:
        return check_file(job.path, job.display, settings, job.enabled, job.changed)
    try:
        data = read_source(job.path, settings)
    except Refused as e:
        return not_checked(job.display, str(e), job.enabled)
    result = check_source(data, path=job.display, settings=settings, enabled=job.enabled)
    store = cache.ResultCache(cache_root)
    store.put(store.key(data, job.path, cache.settings_token(settings, job.enabled)), result)
    return result


def _why(outcome: pool.Outcome, what: str) -> str:
    """The HOW002 message of a job that did not finish."""
    from howto_hook import pool

    if outcome.status == pool.TIMEOUT:
        return f"{what}: {outcome.value} (file-timeout)"
    if outcome.status == pool.FAILED:
        return f"{what}: internal error ({outcome.value}); please report it"
    return f"{what}: {outcome.value}"


def run_jobs(jobs: List[Job], settings: Settings, workers: int,
             cache_root: Optional[str] = None,
             take: Optional[Callable[[int, FileResult], None]] = None) -> List[FileResult]:
    """Check files in worker processes, each under the time limit; with
    `take`, each result goes there as it finishes instead of into the list."""
    # Largest files first, so that the run does not end with one worker
    # still parsing a big module while the others wait.
    # the checker is imported here, where files are to be checked (a run the
    # cache serves whole never loads it), and before the workers fork
    from howto_hook import pool
    from howto_hook.check import not_checked

    order = sorted(range(len(jobs)), key=lambda n: -_size(jobs[n].path))
    if jobs:
        _preload()  # every file will be parsed
    results: List[Optional[FileResult]] = [None] * (len(jobs) if take is None else 0)
    done = 0
    for o in pool.run(lambda n: _run_one(jobs[n], settings, cache_root), order, workers,
                      settings.file_timeout):
        job = jobs[o.index]
        result = (o.value if o.status == pool.DONE else
                  not_checked(job.display, _why(o, "not checked"), job.enabled))
        if take is None:
            results[o.index] = result
        else:
            take(o.index, result)
        done += 1
        _progress(done, len(jobs), verb="checking")
    return results  # type: ignore[return-value]  # every slot is filled


def _preload() -> None:
    """Import libcst here, once, before the workers fork: each inherits it
    instead of importing it again (a worker that replaces a stopped one too)."""
    from howto_hook import locate  # noqa: F401


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported as unreadable by the worker


def _progress(done: int, total: int, what: str = "files", verb: str = "fixing") -> None:
    """A progress line on a terminal (stderr) for long runs; nothing in logs or pipes."""
    isatty = getattr(sys.stderr, "isatty", None)
    if total < 20 or not (isatty and isatty()):
        return
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r{PROG}: {verb} {what} {done}/{total}{end}")
    sys.stderr.flush()
