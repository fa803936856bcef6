"""Landing fixes: each fixed file written (or shown as a diff with --diff)
the moment it is ready, a tally of what was done, and --add-noqa's edits.

Files are written only through fix.write_atomic, so that an interrupted run
leaves every file either as it was or wholly fixed.
"""
from __future__ import annotations

import difflib
import sys
from typing import Dict, List

from howto_hook.check import add_noqa as noqa_text, analyse, decode_exact
from howto_hook.config import Settings
from howto_hook.fix import FileFix, write_atomic
from howto_hook.plan import Job
from howto_hook.validate import same_code


class FixTally:
    """What the fixes of one run came to, counted as they land."""

    def __init__(self) -> None:
        self.files_changed = self.fixed = self.failed = self.tokens = self.cached = 0


def land(f: FileFix, diff_only: bool, tally: FixTally) -> None:
    """Write (or show) one fixed file the moment it is ready."""
    tally.failed += len(f.failed)
    tally.tokens += f.tokens
    tally.cached += f.cached
    for qualname, line, reason in f.failed:
        sys.stderr.write(f"{f.display}:{line}: cannot fix {qualname}: {reason}\n")
    if f.after is None:
        return
    tally.files_changed += 1
    tally.fixed += len(f.fixed)
    if diff_only:
        old, _ = decode_exact(f.before)
        new, _ = decode_exact(f.after)
        sys.stdout.writelines(difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True),
            fromfile=f"a/{f.display}", tofile=f"b/{f.display}"))
    else:
        write_atomic(f.path, f.after)


def add_noqa(jobs: List[Job], settings: Settings) -> int:
    """Suppress every current violation on its definition's line; returns 0."""
    added = files = 0
    for job in jobs:
        try:
            with open(job.path, "rb") as f:
                data = f.read()
        except OSError as e:
            sys.stderr.write(f"{job.display}: cannot read the file: {e.strerror or e}\n")
            continue
        found = analyse(data, path=job.display, settings=settings, enabled=job.enabled,
                        changed=job.changed)
        wanted: Dict[int, set] = {}
        for target, violations in found.checked:
            for v in violations:
                if v.code != "HOW900":
                    wanted.setdefault(target.line, set()).add(v.code)
        if not wanted:
            continue
        text, encoding = decode_exact(data)
        new = noqa_text(text, wanted)
        norm = new.replace("\r\n", "\n")
        if same_code(text.replace("\r\n", "\n"), norm) is not None:
            sys.stderr.write(f"{job.display}: cannot add noqa comments without changing the "
                             "code (a line continued with a backslash?); left untouched\n")
            continue
        write_atomic(job.path, new.encode(encoding))
        files += 1
        added += sum(len(c) for c in wanted.values())
    sys.stderr.write(f"Added {added} noqa code{'s' if added != 1 else ''} in "
                     f"{files} file{'s' if files != 1 else ''}.\n")
    return 0
