"""The command line's examples stage: which interpreter, HOW403 after a check,
and what the run says about the examples it ran."""
from __future__ import annotations

import os
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Set, Tuple

from howto_hook.examples.found import check_files
from howto_hook.examples.interpreter import Choice, choose_python, imports, project_root
from howto_hook.examples.results import CAUSES, RunnerError
from howto_hook.examples.runner import Runner
from howto_hook.examples.vetting import runner_for
from howto_hook.streams import shown

if TYPE_CHECKING:
    from howto_hook.check import FileResult
    from howto_hook.config import Settings
    from howto_hook.land import FixTally
    from howto_hook.plan import Plan


def no_interpreter(tracked: Sequence[str]) -> str:
    """The one line a fix says when nothing imports the project; a virtualenv
    refused because git tracks it is named, not called absent."""
    venv = (f"{' and '.join(tracked)} at the repository root is tracked by git, so never run"
            if tracked else "no .venv or venv at the repository root")
    return ("howto-check: no interpreter that can import the project was found "
            f"({venv}, and howto-check's own cannot import it), so the candidates' "
            "usage examples are not run and only examples taken verbatim from the project "
            "are written; set example-python (or --example-python) to the project's "
            "interpreter to run them\n")
NOT_POSIX = (
    "howto-check: usage examples are not run on this system (POSIX only), so only examples "
    "taken verbatim from the project are written\n")


def wanted(plan: "Plan") -> bool:
    """Whether any file of the run asks for its examples to be run (one answer
    with main.py, which asks plan.py before it imports this package)."""
    from howto_hook.plan import runs_examples

    return runs_examples(plan)


def prepare(plan: "Plan", fixing: bool = False) -> "Plan":
    """The plan with each configuration's example interpreter chosen (the run
    says which on stderr); a fix runs examples inside each file's job, so its
    time limit grows by ten example timeouts.

    A fix whose configuration says nothing of `run-examples` runs its
    candidates' examples where it can: on POSIX, with an interpreter that can
    import the project (a chosen project interpreter, or howto-check's own
    when it finds one of the fixed files' top-level modules by itself). Where
    it cannot, the run says so once, and `run_examples` becomes False: only
    candidates whose example is taken verbatim are written."""
    from howto_hook.discover import UsageError

    posix = hasattr(os, "killpg")
    chosen: Dict[Optional[str], Choice] = {}
    said: Set[Optional[str]] = set()
    noted: List[bool] = []
    root, tracked = project_root(os.getcwd())
    found: List[bool] = []

    def choose(explicit: Optional[str]) -> Choice:
        if explicit not in chosen:
            try:
                chosen[explicit] = choose_python(explicit, root, tracked=tracked)
            except RunnerError as e:
                raise UsageError(str(e)) from None
        return chosen[explicit]

    def own_imports(python: str) -> bool:
        # asked once a run, of the top-level module of every file fixed: one
        # found on the interpreter's own path means the project is installed there
        if not found:
            from howto_hook.modpath import module_of_file

            found.append(bool(imports(python, (module_of_file(j.path) for j in plan.jobs),
                                      root)))
        return found[0]

    def resolve(settings: "Settings") -> "Settings":
        run = settings.run_examples
        if run is None and fixing:
            choice = choose(settings.example_python)
            run = posix and (choice.project or own_imports(choice.python))
            if not run:
                if not noted:
                    noted.append(True)
                    sys.stderr.write(no_interpreter(tracked) if posix else NOT_POSIX)
                return settings.with_changes(run_examples=False)
        if not run:
            return settings
        if not posix:  # pragma: no cover - Windows
            raise UsageError("--run-examples kills each example's process group on a "
                             "timeout, which this system does not have (POSIX only); use "
                             "pytest --howto-examples")
        choice = choose(settings.example_python)
        if settings.example_python not in said:
            said.add(settings.example_python)
            why = choice.why if not found or choice.project else f"{choice.why}, which imports the project"
            sys.stderr.write(shown(f"howto-check: running usage examples with {choice.python} "
                                   f"({why})") + "\n")
        changes: Dict[str, object] = {"run_examples": True, "example_python": choice.python}
        if fixing:
            changes["file_timeout"] = settings.file_timeout + 10 * settings.example_timeout
        return settings.with_changes(**changes)

    mine: Dict[int, "Settings"] = {}

    def once(settings: "Settings") -> "Settings":
        if id(settings) not in mine:
            mine[id(settings)] = resolve(settings)
        return mine[id(settings)]

    jobs = [j._replace(settings=once(j.settings)) if j.settings is not None else j
            for j in plan.jobs]
    return plan._replace(settings=once(plan.settings), jobs=jobs)


def stage(plan: "Plan", results: Sequence["FileResult"],
          skip: Sequence[Tuple[str, str]] = (), tally: Optional["FixTally"] = None,
          buffers: Optional[Dict[str, bytes]] = None) -> List["FileResult"]:
    """The check's results with HOW403 added: every example of the definitions
    checked whose configuration asks for it is run (but those in `skip`), up to
    the plan's workers at a time. After a fix (`tally`), the run first says
    what running its candidates came to."""
    from howto_hook.discover import UsageError

    if tally is not None:
        sys.stderr.write(fix_line(tally.examples, tally.fixed, tally.reasons))
    runners: Dict[Tuple[str, float], Runner] = {}

    def runner_of(settings: "Settings") -> Runner:
        key = (settings.example_python or "", settings.example_timeout)
        if key not in runners:
            runners[key] = runner_for(settings, jobs=plan.workers)
        return runners[key]

    files = []
    for j in plan.jobs:
        settings = j.settings or plan.settings
        if settings.run_examples:
            files.append((j.path, j.display, j.enabled, j.changed, settings))
    started = time.monotonic()
    try:
        found = check_files(files, runner_of, skip, buffers)
    except RunnerError as e:
        raise UsageError(str(e)) from None
    failed = sum(len(vs) for vs in found.values())
    ran = sum(r.ran for r in runners.values())
    if ran or tally is None:  # after a fix, the candidates' line has said it
        sys.stderr.write(f"howto-check: ran {ran} usage example{'' if ran == 1 else 's'} in "
                         f"{time.monotonic() - started:.1f} s; {failed} failed\n")
    out = []
    for r in results:
        extra = found.get(r.path, [])
        if extra:
            failing = {v.symbol for v in r.violations}
            newly = {v.symbol for v in extra} - failing
            r = r._replace(violations=tuple(sorted(r.violations + tuple(extra),
                                                   key=lambda v: (v.line, v.col, v.code))),
                           passing=r.passing - len(newly))
        out.append(r)
    return out


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fix_line(causes: Mapping[str, int], written: int, reasons: Mapping[str, int]) -> str:
    """One line: the candidates run and why those that failed did, the guides
    written, and the commonest reasons definitions were left unfixed."""
    ran = sum(causes.values())
    failed = ran - causes.get("passed", 0)
    line = f"howto-check: ran {_plural(ran, 'candidate example')}; {failed} failed"
    order = [c for c in ["raised", *CAUSES.values()] if causes.get(c)]
    order += sorted(c for c in causes if c not in order and c != "passed")
    if failed:
        line += " (" + ", ".join(f"{causes[c]} {c}" for c in dict.fromkeys(order)) + ")"
    line += f"; {_plural(written, 'guide')} written"
    unfixed = sum(reasons.values())
    if unfixed:
        common = Counter(reasons).most_common(3)
        line += (f"; {_plural(unfixed, 'definition')} left unfixed, most often: "
                 + "; ".join(f"{why} ({n})" for why, n in common))
    return line + "\n"
