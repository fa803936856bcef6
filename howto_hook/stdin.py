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
from typing import FrozenSet, List, Optional

from howto_hook import diff, output, plan as plans
from howto_hook.check import check_source, decode_exact
from howto_hook.cli import PROG, Options
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


def run(options: Options, cwd: str) -> int:
    """Check (or fix) the source on stdin; returns the exit status."""
    data = sys.stdin.buffer.read()
    path = os.path.abspath(options.stdin_filename or "")
    configs = plans.Configs(options, cwd)
    settings = configs.for_file(path)
    fixing = options.fixing
    if is_excluded(path, settings):
        if fixing and not options.diff:
            sys.stdout.buffer.write(data)  # an editor replaces its buffer with stdout
        sys.stderr.write(shown(f"{PROG}: {options.stdin_filename} is excluded; nothing checked")
                         + "\n")
        return 0
    changed: Optional[FrozenSet[int]] = None
    change = None
    if not options.all:
        old = committed(path, cwd)
        if old is not None:
            changed = changed_lines(old, data)
            change = diff.Change({path: changed}, "stdin against HEAD")
    job = configs.job(path, display(path, cwd), changed)
    work = plans.Plan(configs.base, change, [job], 1, options.generator or settings.generator)
    known = output.load_baseline(options, configs.base)
    if not fixing:
        result = check_source(data, path=job.display, settings=settings, enabled=job.enabled,
                              changed=changed)
        return output.finish(options, work, [result], known, None)
    from howto_hook.workers import _generator

    generator = _generator(work.generator, settings, settings.root, options.no_cache)
    fixed = fix_data(data, path=path, display=job.display, settings=settings,
                     enabled=job.enabled, changed=changed, generator=generator)
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
