"""Landing fixes: each fixed file written (or shown as a diff with --diff)
the moment it is ready, a tally of what was done, and --add-noqa's edits.

Files are written only through safeio.write_file, so that an interrupted run
leaves every file either as it was or wholly fixed, and a file that cannot be
written is one "cannot fix" line while the run goes on.
"""
from __future__ import annotations

import difflib
import sys
from collections import Counter
from typing import List, Optional

from howto_hook.check import decode_exact, noqa_source, read_source
from howto_hook.config import Settings
from howto_hook.fix import FileFix
from howto_hook.plan import Job
from howto_hook.safeio import Refused, write_file
from howto_hook.streams import diff_name, shown


class FixTally:
    """What the fixes of one run came to, counted as they land."""

    def __init__(self) -> None:
        self.files_changed = self.fixed = self.failed = self.tokens = self.cached = 0
        self.unwritten = 0  # files fixed whose new bytes could not be written
        self.examples: "Counter[str]" = Counter()  # candidate examples run, by cause
        self.reasons: "Counter[str]" = Counter()  # why definitions were left unfixed


def land(f: FileFix, diff_only: bool, tally: FixTally, root: Optional[str] = None) -> None:
    """Write (or show) one fixed file the moment it is ready."""
    tally.failed += len(f.failed)
    tally.tokens += f.tokens
    tally.cached += f.cached
    tally.examples.update(dict(f.examples))
    for qualname, line, reason in f.failed:
        tally.reasons[reason.split(":", 1)[0].strip()] += 1
        sys.stderr.write(shown(f"{f.display}:{line}: cannot fix {qualname}: {reason}") + "\n")
    if f.after is None:
        return
    if not diff_only:
        reason = write_file(f.path, f.after, root, expected=f.before)
        if reason is not None:
            sys.stderr.write(shown(f"{f.display}: cannot fix: {reason}") + "\n")
            tally.unwritten += 1
            return
    tally.files_changed += 1
    tally.fixed += len(f.fixed)
    if diff_only:
        old, _ = decode_exact(f.before)
        new, _ = decode_exact(f.after)
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=diff_name(f"a/{f.display}"), tofile=diff_name(f"b/{f.display}")))


def add_noqa(jobs: List[Job], settings: Settings) -> int:
    """Suppress every current violation on its definition's line; returns 0,
    or 1 when some file could not be read, edited or written (each said)."""
    added = files = failed = 0
    for job in jobs:
        try:
            data = read_source(job.path, settings)
            new, count, problem = noqa_source(data, path=job.display, settings=settings,
                                              enabled=job.enabled, changed=job.changed)
        except Refused as e:
            new, count, problem = None, 0, str(e)
        except Exception as e:  # one file's failure must not end the run
            new, count, problem = None, 0, (f"not changed: internal error "
                                            f"({type(e).__name__}: {str(e)[:200]})")
        if new is not None:
            problem = write_file(job.path, new, settings.root, expected=data) or ""
        if problem:
            sys.stderr.write(shown(f"{job.display}: {problem}") + "\n")
            failed += 1
            continue
        if new is not None:
            files += 1
            added += count
    sys.stderr.write(f"Added {added} noqa code{'s' if added != 1 else ''} in "
                     f"{files} file{'s' if files != 1 else ''}.\n")
    return 1 if failed else 0
