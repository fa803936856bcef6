"""Running the fixes: the offline template in forked worker processes (the
check's pool, each file under `file-timeout`), or the LLM generator asking
for every definition from this process and streaming the answers; each file
lands (is written, or shown with --diff) as soon as its fix is ready.

main.py imports this module only for --fix: a check never loads the fix
path (fix.py, generate/, land.py, rewrite.py).
"""
from __future__ import annotations

from typing import Dict, List

from howto_hook import pool
from howto_hook.check import not_checked
from howto_hook.cli import Options
from howto_hook.config import Settings
from howto_hook.fix import (FileFix, Plan as FilePlan, finish_safely, fix_file, not_planned,
                            read_plan)
from howto_hook.generate.template import TemplateGenerator
from howto_hook.land import FixTally, land
from howto_hook.plan import Job, Plan
from howto_hook.workers import _progress, _why


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


def _preload() -> None:
    """libcst and the rewriter, imported once before the workers fork (as
    workers._preload does for a check), so that no worker imports them again."""
    from howto_hook import locate, rewrite  # noqa: F401


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
    fixed = fix_file(job.path, job.display, settings, job.enabled, job.changed, generator,
                     job.baselined)
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
                                          jobs[n].changed, generator.name,
                                          jobs[n].baselined),
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
