"""Running the jobs: checks and fixes in forked worker processes (pool.py),
largest first, each file under `file-timeout`; a progress line on a terminal.

A file whose check or fix takes too long, crashes its worker or raises is
reported on its own (HOW002) and the run goes on. Workers die with the run,
however it ends. Each worker imports libcst on its first parse (fork keeps
what the parent already loaded); the LLM generator runs in this process,
streaming answers.
"""
from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional

from howto_hook import cache, pool
from howto_hook.check import FileResult, check_file, check_source, not_checked, read_source
from howto_hook.cli import PROG, Options
from howto_hook.config import Settings
from howto_hook.fix import (FileFix, Plan as FilePlan, finish_safely, fix_file, not_planned,
                            read_plan)
from howto_hook.generate.template import TemplateGenerator
from howto_hook.land import FixTally, land
from howto_hook.plan import Job, Plan
from howto_hook.safeio import Refused


def check(plan: Plan, options: Options) -> List[FileResult]:
    """Check every job; a whole-tree run reads and fills the result cache."""
    cache_root = None
    if plan.change is None and not options.no_cache and plan.jobs:
        try:
            cache_root = plan.cache_root or plan.settings.root
            cache.ensure_dir(cache_root)
        except OSError:
            cache_root = None  # a read-only tree: run without the cache
    return run_jobs(plan.jobs, plan.settings, plan.workers, cache_root)


def fix(plan: Plan, options: Options, tally: FixTally) -> List[FileFix]:
    """Fix every job, landing each file as soon as its fix is ready."""
    settings = plan.settings
    if plan.generator == "llm":
        # the LLM's answers are cached beside the check's results, at the repository's top
        gen = _generator("llm", settings, plan.cache_root or settings.root, options.no_cache)
        fixes = run_llm_fixes(plan.jobs, settings, gen, options.diff, tally, plan.workers)
        if getattr(gen, "runner", None) is not None:  # the candidates run, for the summary
            tally.examples.update(gen.runner.tally)
        return fixes
    return run_fixes(plan.jobs, settings, plan.workers, plan.generator, options.diff, tally)


def _run_one(job: Job, settings: Settings, cache_root: Optional[str] = None) -> FileResult:
    settings = job.settings or settings  # a file with a configuration of its own
    if cache_root is None or job.changed is not None:
        return check_file(job.path, job.display, settings, job.enabled, job.changed)
    try:
        data = read_source(job.path, settings)
    except Refused as e:
        return not_checked(job.display, str(e), job.enabled)
    k = cache.key(data, job.path, cache.settings_token(settings, job.enabled))
    store = cache.ResultCache(cache_root)
    hit = store.get(k, job.display)
    if hit is not None:
        return hit
    result = check_source(data, path=job.display, settings=settings, enabled=job.enabled)
    store.put(k, result)
    return result


def _why(outcome: pool.Outcome, what: str) -> str:
    """The HOW002 message of a job that did not finish."""
    if outcome.status == pool.TIMEOUT:
        return f"{what}: {outcome.value} (file-timeout)"
    if outcome.status == pool.FAILED:
        return f"{what}: internal error ({outcome.value}); please report it"
    return f"{what}: {outcome.value}"


def run_jobs(jobs: List[Job], settings: Settings, workers: int,
             cache_root: Optional[str] = None) -> List[FileResult]:
    """Check files in worker processes, each under the time limit."""
    # Largest files first, so that the run does not end with one worker
    # still parsing a big module while the others wait.
    order = sorted(range(len(jobs)), key=lambda n: -_size(jobs[n].path))
    if cache_root is None and jobs:
        _preload()  # every file will be parsed
    results: List[Optional[FileResult]] = [None] * len(jobs)
    done = 0
    for o in pool.run(lambda n: _run_one(jobs[n], settings, cache_root), order, workers,
                      settings.file_timeout):
        job = jobs[o.index]
        results[o.index] = (o.value if o.status == pool.DONE else
                            not_checked(job.display, _why(o, "not checked"), job.enabled))
        done += 1
        _progress(done, len(jobs), verb="checking")
    return results  # type: ignore[return-value]  # every slot is filled


def _preload() -> None:
    """Import libcst here, once, before the workers fork: each inherits it
    instead of importing it again (a worker that replaces a stopped one too)."""
    from howto_hook import locate, rewrite  # noqa: F401


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported as unreadable by the worker


def _generator(name: str, settings: Settings, root: str,  # type: ignore[no-untyped-def]
               no_cache: bool = False):
    if name == "llm":
        from howto_hook.generate.llm import LLMGenerator  # only this path may load openai

        return LLMGenerator.from_settings(settings, root=root, no_cache=no_cache)
    if settings.run_examples:  # write only guides whose example runs
        from howto_hook import examples

        return examples.Vetted(TemplateGenerator(), examples.runner_for(settings))
    if settings.run_examples is False:  # not run: only examples taken from the project
        from howto_hook import examples

        return examples.VerbatimOnly(TemplateGenerator())
    return TemplateGenerator()


def _fix_one(job: Job, settings: Settings, generator_name: str):  # type: ignore[no-untyped-def]
    settings = job.settings or settings
    generator = _generator(generator_name, settings, settings.root)
    fixed = fix_file(job.path, job.display, settings, job.enabled, job.changed, generator)
    runner = getattr(generator, "runner", None)
    if runner is not None and runner.tally:  # the candidates run, for the summary
        from dataclasses import replace

        fixed = replace(fixed, examples=tuple(runner.tally.items()))
    return fixed


def run_fixes(jobs: List[Job], settings: Settings, workers: int, generator_name: str,
              diff_only: bool, tally: FixTally) -> list:
    """Fix files with the offline template in worker processes, each under the
    time limit; each file is written as soon as its fix arrives."""
    if jobs:
        _preload()
    results = []
    for o in pool.run(lambda n: _fix_one(jobs[n], settings, generator_name),
                      range(len(jobs)), workers, settings.file_timeout):
        f = o.value if o.status == pool.DONE else _unfinished(jobs[o.index], _why(o, "not fixed"))
        land(f, diff_only, tally, settings.root)
        results.append(f)
        _progress(len(results), len(jobs))
    return results


def _unfinished(job: Job, reason: str) -> FileFix:
    """The fix of a file that did not finish: nothing written, the file reported."""
    return FileFix(job.path, job.display, b"", None, (), (),
                   not_checked(job.display, reason, job.enabled))


def _progress(done: int, total: int, what: str = "files", verb: str = "fixing") -> None:
    """A progress line on a terminal (stderr) for long runs; nothing in logs or pipes."""
    isatty = getattr(sys.stderr, "isatty", None)
    if total < 20 or not (isatty and isatty()):
        return
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r{PROG}: {verb} {what} {done}/{total}{end}")
    sys.stderr.flush()


def run_llm_fixes(jobs: List[Job], settings: Settings, generator, diff_only: bool,
                  tally: FixTally, workers: int = 1) -> list:  # type: ignore[no-untyped-def]
    """Ask for every definition at once; write each file as soon as it is complete,
    so that an interrupted run keeps the work already done.

    Reading and checking each file, and rewriting it once its answers are in,
    run in forked workers under the time limit, as template fixes do; the
    requests to the model go from this process."""
    limit = settings.file_timeout
    if jobs:
        _preload()
    plans: List[FilePlan] = [None] * len(jobs)  # type: ignore[list-item]  # all filled below
    for o in pool.run(lambda n: read_plan(jobs[n].path, jobs[n].display,
                                          jobs[n].settings or settings, jobs[n].enabled,
                                          jobs[n].changed, generator.name),
                      range(len(jobs)), workers, limit):
        job = jobs[o.index]
        plans[o.index] = (o.value if o.status == pool.DONE else not_planned(
            job.path, job.display, not_checked(job.display, _why(o, "not fixed"), job.enabled)))
    results: list = [None] * len(plans)
    waiting = {n: len(p.requests) for n, p in enumerate(plans)}
    gathered: Dict[int, list] = {n: [] for n in waiting}
    owner = {id(r): n for n, p in enumerate(plans) for r in p.requests}
    total = sum(waiting.values())

    def land_plan(n: int) -> None:
        job = jobs[n]
        for o in pool.run(lambda _: finish_safely(plans[n], gathered[n],
                                                  settings=job.settings or settings,
                                                  enabled=job.enabled), [n], 1, limit):
            results[n] = o.value if o.status == pool.DONE else _unfinished(
                job, _why(o, "not fixed"))
        land(results[n], diff_only, tally, settings.root)

    for n, count in waiting.items():
        if count == 0:
            land_plan(n)
    done = 0
    for outcome in generator.stream([r for p in plans for r in p.requests]):
        n = owner[id(outcome.request)]
        gathered[n].append(outcome)
        waiting[n] -= 1
        done += 1
        _progress(done, total, "definitions")
        if waiting[n] == 0:
            land_plan(n)
    return results
