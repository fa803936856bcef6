"""What a run says: the violations in the chosen format, the summary, the
baseline's part (recorded, applied, stale), hints, and the exit status.

Reports are rendered by report.py as strings; this module writes them.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple

from howto_hook import baseline, diff, report, streams
from howto_hook.cli import PROG, Options
from howto_hook.config import Settings
from howto_hook.discover import UsageError
from howto_hook.model import FileResult, Violation

if TYPE_CHECKING:  # names for annotations only: a run with no file loads no fixer
    from howto_hook.land import FixTally
    from howto_hook.plan import Plan


def load_baseline(options: Options, settings: Settings) -> Optional["Counter[baseline.Key]"]:
    """The known violations to hide (--baseline, else the config's), if any."""
    baseline_file = options.baseline or (
        os.path.join(settings.root, settings.baseline) if settings.baseline else None)
    if not baseline_file or options.generate_baseline or options.no_baseline:
        return None
    try:
        return baseline.load(baseline_file)
    except baseline.BaselineError as e:
        raise UsageError(str(e)) from None


def finish(options: Options, plan: Plan, results: Sequence[FileResult],
           known: Optional["Counter[baseline.Key]"], tally: Optional[FixTally]) -> int:
    """Write everything the run found; returns the exit status."""
    settings = plan.settings
    violations: List[Violation] = sorted(
        (v for r in results for v in r.violations),
        key=lambda v: (v.path, v.line, v.col, v.code),
    )
    if options.generate_baseline:
        try:
            baseline.save(options.generate_baseline, baseline.dumps(violations, settings.root))
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
        sys.stderr.write(f"Recorded {len(violations)} violations in "
                         f"{streams.shown(options.generate_baseline)}.\n")
        return 0
    stale: Tuple = ()
    excused = 0
    if known is not None and plan.change is None:
        applied = baseline.apply(violations, known, settings.root, baseline.checked_pairs(
            (r.path, r.symbols) for r in results), {j.display: j.enabled for j in plan.jobs})
        violations = list(applied.kept)
        stale = applied.stale
    elif known is not None:
        # a changed-only run judges what the change touched in full: the
        # baseline is for whole-file runs (--all, pre-commit --all-files)
        excused = baseline.apply(violations, known, settings.root, set()).hidden
    _document(options, violations, plan.cache_root)
    if tally is not None and options.diff:
        # nothing was written: say what would be fixed and what would still fail,
        # never "All checks passed" over files that fail as before
        sys.stderr.write(_fixed(tally, options, plan, remaining=len(violations)))
    else:
        sys.stderr.write(report.summary(
            violations=len(violations),
            definitions=sum(r.checked for r in results),
            files=len(results),
            passing=sum(r.passing for r in results),
            changed_only=plan.change is not None,
            unwritten=tally.unwritten if tally is not None else 0,
        ) + "\n")
        if tally is not None:
            sys.stderr.write(_fixed(tally, options, plan, remaining=len(violations)))
    _hints(plan.change, stale)
    if excused:
        sys.stderr.write(f"{PROG}: {excused} of these findings {'is' if excused == 1 else 'are'} "
                         "in the baseline, which never excuses a changed definition\n")
    return exit_status(options, results, violations, tally)


def _document(options: Options, violations: Sequence[Violation],
              root: Optional[str] = None) -> None:
    """stdout's one document: the violations, or with --statistics only their table."""
    fmt = options.output_format
    machine = fmt != "text"
    if options.statistics:
        streams.write(sys.stdout, report.statistics(violations, fmt), utf8=fmt == "json")
        return
    place = report.Place(root or _root(), os.getcwd()) if machine else None
    color = streams.use_color(options.color, sys.stdout, os.environ)
    streams.write(sys.stdout, report.render(fmt, violations, color=color, place=place),
                  utf8=machine)


def _root() -> str:
    """Where machine formats anchor paths: the repository's top, else the cwd."""
    cwd = os.getcwd()
    repo = diff.repository(cwd)
    return repo.root if repo is not None else cwd


def _fixed(tally: FixTally, options: Options, plan: Plan, *, remaining: int) -> str:
    tokens = (tally.tokens, tally.cached) if plan.generator == "llm" else None
    return report.fix_summary(dry_run=options.diff, fixed=tally.fixed,
                              files_changed=tally.files_changed, failed=tally.failed,
                              remaining=remaining, tokens=tokens,
                              unwritten=tally.unwritten) + "\n"


def _hints(change: Optional[diff.Change], stale: Tuple) -> None:
    """What the user may want to do next: CI with nothing changed, a stale baseline."""
    if change is not None and not change.files and os.environ.get("CI") \
            and change.description.startswith("the working tree"):
        sys.stderr.write(f"{PROG}: hint: nothing differs from HEAD; in CI, pass "
                         "--diff-base origin/<base branch> to check the branch's changes\n")
    for path, symbol, code, _ in stale[:10]:
        sys.stderr.write(streams.shown(f"{PROG}: stale baseline entry: {path} "
                                       f"{symbol or '(file)'} {code} no longer occurs") + "\n")
    if stale:
        entries = "entry is" if len(stale) == 1 else "entries are"
        sys.stderr.write(f"{PROG}: {len(stale)} baseline {entries} stale; rewrite the baseline "
                         "with --generate-baseline\n")


def exit_status(options: Options, results: Sequence[FileResult],
                violations: Sequence[Violation], tally: Optional[FixTally]) -> int:
    """1 for violations, a coverage below --fail-under, or files a fix changed."""
    definitions = sum(r.checked for r in results)
    if options.fail_under is not None and definitions:
        coverage = 100.0 * sum(r.passing for r in results) / definitions
        if coverage < options.fail_under:
            sys.stderr.write(f"{PROG}: guide coverage {coverage:.1f}% is below "
                             f"--fail-under {options.fail_under:g}%\n")
            return 1
    if tally is not None and tally.unwritten:
        return 1  # a fix that could not be written is a failure, not a finding
    if options.exit_zero:
        return 0  # as ruff: whatever was found or changed
    if tally is not None and tally.files_changed and (options.diff
                                                      or options.exit_non_zero_on_fix):
        # as ruff: a fix that leaves nothing exits 0 (pre-commit fails a hook
        # that changed files by itself); --diff shows changes still to make
        return 1
    return 1 if violations else 0
