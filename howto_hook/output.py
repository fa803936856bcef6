"""What a run says: the violations in the chosen format, the summary, the
baseline's part (recorded, applied, stale), hints, and the exit status.

Reports are rendered by report.py as strings; this module writes them.
"""
from __future__ import annotations

import os
import sys
from collections import Counter
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Sequence, Tuple

from howto_hook import diff, report, streams
from howto_hook.cli import PROG, Options
from howto_hook.config import Settings
from howto_hook.discover import UsageError

if TYPE_CHECKING:  # names for annotations only: a run with no file loads no fixer
    from howto_hook import baseline
    from howto_hook.land import FixTally
    from howto_hook.model import FileResult, Violation
    from howto_hook.plan import Plan


def load_baseline(options: Options, settings: Settings) -> Optional["Counter[baseline.Key]"]:
    """The known violations to hide (--baseline, else the config's), if any."""
    baseline_file = options.baseline or (
        os.path.join(settings.root, settings.baseline) if settings.baseline else None)
    if not baseline_file or options.generate_baseline or options.no_baseline:
        return None
    from howto_hook import baseline  # json, tempfile and dataclasses: not every run's

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
        from howto_hook import baseline

        try:
            baseline.save(options.generate_baseline, baseline.dumps(violations, settings.root))
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
        sys.stderr.write(f"Recorded {len(violations)} violations in "
                         f"{streams.shown(options.generate_baseline)}.\n")
        return 0
    stale: Tuple = ()
    excused = 0
    if known is not None:
        from howto_hook import baseline

        if plan.change is None:
            applied = baseline.apply(violations, known, settings.root, baseline.checked_pairs(
                (r.path, r.symbols) for r in results), {j.display: j.enabled for j in plan.jobs})
            violations = list(applied.kept)
            stale = applied.stale
        else:
            # a changed-only run judges what the change touched in full: the
            # baseline is for whole-file runs (--all, pre-commit --all-files)
            excused = baseline.apply(violations, known, settings.root, set()).hidden
    _document(options, violations, plan.cache_root)
    counts = Counts(files=len(results), definitions=sum(r.checked for r in results),
                    passing=sum(r.passing for r in results), violations=len(violations))
    return _close(options, plan, counts, tally, stale, excused)


class Counts(NamedTuple):
    """All the summary and the exit status need of a run's results."""

    files: int
    definitions: int
    passing: int
    violations: int


# The formats written file by file: one line per violation, nothing around
# them. JSON and SARIF are one document and are written whole.
STREAMED = frozenset(("text", "github"))


def streams_report(options: Options, known: Optional["Counter[baseline.Key]"]) -> bool:
    """Whether a check's violations can go to stdout as each file's result
    comes: not when the baseline, --statistics or --generate-baseline need
    them all, and not on a terminal that also shows the progress line."""
    if options.output_format not in STREAMED or options.statistics \
            or options.generate_baseline or known is not None or options.fixing:
        return False
    return not (_isatty(sys.stdout) and _isatty(sys.stderr))


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Streamed:
    """The report of a check written as results arrive, byte for byte what
    `finish` writes: files in the order of their paths (the order of the whole
    report's sort), each file's violations by line, column and code. Workers
    finish the largest files first, so a result that comes before its turn
    waits here; the rest are written and dropped, leaving only counts."""

    def __init__(self, options: Options, plan: Plan) -> None:
        jobs = plan.jobs
        self._turn = {n: k for k, n in enumerate(
            sorted(range(len(jobs)), key=lambda n: jobs[n].display))}
        self._next = 0
        self._waiting: Dict[int, FileResult] = {}
        self._fmt = options.output_format
        self._place = report.Place(plan.cache_root or _root(), os.getcwd()) \
            if self._fmt != "text" else None
        self._color = streams.use_color(options.color, sys.stdout, os.environ)
        self.counts = Counts(0, 0, 0, 0)

    def take(self, n: int, result: FileResult) -> None:
        """The result of job `n`; writes it, and any it held back, once its turn comes."""
        self._waiting[self._turn[n]] = result
        while self._next in self._waiting:
            self._write(self._waiting.pop(self._next))
            self._next += 1

    def _write(self, result: FileResult) -> None:
        c = self.counts
        self.counts = Counts(c.files + 1, c.definitions + result.checked,
                             c.passing + result.passing, c.violations + len(result.violations))
        if result.violations:
            found = sorted(result.violations, key=lambda v: (v.path, v.line, v.col, v.code))
            streams.write(sys.stdout, report.render(self._fmt, found, color=self._color,
                                                    place=self._place), utf8=self._fmt != "text")


def finish_streamed(options: Options, plan: Plan, streamed: Streamed) -> int:
    """The summary, hints and exit status after a streamed report."""
    return _close(options, plan, streamed.counts, None, (), 0)


def _close(options: Options, plan: Plan, counts: Counts, tally: Optional[FixTally],
           stale: Tuple, excused: int) -> int:
    """Everything after the violations: the summary, hints and the exit status."""
    if tally is not None and options.diff:
        # nothing was written: say what would be fixed and what would still fail,
        # never "All checks passed" over files that fail as before
        sys.stderr.write(_fixed(tally, options, plan, remaining=counts.violations))
    else:
        sys.stderr.write(report.summary(
            violations=counts.violations,
            definitions=counts.definitions,
            files=counts.files,
            passing=counts.passing,
            changed_only=plan.change is not None,
            unwritten=tally.unwritten if tally is not None else 0,
        ) + "\n")
        if tally is not None:
            sys.stderr.write(_fixed(tally, options, plan, remaining=counts.violations))
    _hints(plan.change, stale)
    if excused:
        sys.stderr.write(f"{PROG}: {excused} of these findings {'is' if excused == 1 else 'are'} "
                         "in the baseline, which never excuses a changed definition\n")
    return exit_status(options, counts, tally)


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


def exit_status(options: Options, counts: Counts, tally: Optional[FixTally]) -> int:
    """1 for violations, a coverage below --fail-under, or files a fix changed."""
    if options.fail_under is not None and counts.definitions:
        coverage = 100.0 * counts.passing / counts.definitions
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
    return 1 if counts.violations else 0
