"""Which files to check: walking directories, `.gitignore`, `exclude`, `include`.

Paths are matched relative to the project root (the directory of the config
file in use), so that the same pattern means the same files wherever the
command runs from; patterns.py says how a pattern matches.
"""
from __future__ import annotations

import os
from fnmatch import fnmatchcase
from typing import Callable, Dict, Iterable, List, Optional, Tuple

from howto_hook import diff
from howto_hook.config import Settings
from howto_hook.patterns import matches, matching
from howto_hook.streams import relative


class UsageError(Exception):
    """A mistake on the command line; the message is one line for the user."""


def rel_to_root(path: str, settings: Settings) -> str:
    rel = relative(os.path.abspath(path), settings.root)  # absolute across drives
    return rel.replace(os.sep, "/")


# Test code, out of scope unless `include-tests` is set (as in pydocstyle):
# test modules, conftest.py, and whatever lives under a tests/ or test/ directory.
TEST_PATTERNS: Tuple[str, ...] = ("test_*.py", "*_test.py", "conftest.py", "tests", "test")


def _rel_for_patterns(path: str, settings: Settings) -> str:
    rel = rel_to_root(path, settings)
    if rel.startswith("../"):
        # outside the project: match on the path's own components only
        rel = os.path.abspath(path).replace(os.sep, "/").lstrip("/")
    return rel


def is_test_code(path: str, settings: Settings) -> bool:
    """Whether a path is test code that `include-tests` leaves out."""
    return not settings.include_tests and matches(_rel_for_patterns(path, settings),
                                                   TEST_PATTERNS)


def is_excluded(path: str, settings: Settings) -> bool:
    return is_test_code(path, settings) or _patterns_exclude(path, settings)


def _patterns_exclude(path: str, settings: Settings) -> bool:
    """`exclude`/`extend-exclude` alone (no test-code rule)."""
    rel = _rel_for_patterns(path, settings)
    return matches(rel, settings.exclude) or matches(rel, settings.extend_exclude)


def ignored_codes(path: str, settings: Settings) -> Tuple[str, ...]:
    """Codes that `per-file-ignores` switches off for this path."""
    rel = rel_to_root(path, settings)
    return tuple(code for codes in matching(rel, settings.per_file_ignores) for code in codes)


def included(path: str, settings: Settings) -> bool:
    """Whether a directory walk takes this file (setting `include`)."""
    name = os.path.basename(path)
    return any(fnmatchcase(name, pat) for pat in settings.include)


def _git_files(directory: str) -> Optional[List[str]]:
    """Files git tracks or would track below `directory`; None outside a repo."""
    names = diff.listed(["ls-files", "-z", "--cached", "--others", "--exclude-standard",
                         "--", "."], directory)
    if names is None:
        return None
    if not names and _ignored_by_git(directory):
        # The user named a directory git ignores as a whole (a virtualenv,
        # an installed Python): the explicit request wins over .gitignore.
        return None
    return [os.path.join(directory, n) for n in names]


def _ignored_by_git(directory: str) -> bool:
    proc = diff.git(["check-ignore", "-q", "--", os.path.abspath(directory)], directory,
                    check=False)
    return proc.returncode == 0


SettingsFor = Callable[[str], Settings]


def _walk(directory: str, settings_for: SettingsFor,
          skipped: Callable[[str, Settings], bool]) -> List[str]:
    found: List[str] = []
    for here, dirs, files in os.walk(directory):
        # A directory is judged by its own nearest configuration (asked for a
        # file inside it), so a package's include-tests governs its own
        # subtree, whatever the configuration the walk started under.
        dirs[:] = sorted(
            d for d in dirs
            if not skipped(os.path.join(here, d),
                           settings_for(os.path.join(here, d, "__init__.py"))))
        for name in sorted(files):
            full = os.path.join(here, name)
            own = settings_for(full)
            if included(name, own) and not skipped(full, own):
                found.append(full)
    return found


def _taken(files: List[str], settings_for: SettingsFor,
           skipped: Callable[[str, Settings], bool]) -> List[str]:
    """The listed files a walk would take. Each directory is judged once, with
    the settings its files take: a directory its own settings exclude holds
    no file they keep (a file's path holds its directory's), so its files are
    never matched one by one."""
    out: List[str] = []
    judged: Dict[str, Tuple[Settings, bool]] = {}
    for p in files:
        here, name = os.path.split(p)
        if here not in judged:
            own = settings_for(os.path.join(here, "__init__.py"))
            judged[here] = (own, skipped(here, own))
        own, out_of_scope = judged[here]
        if not out_of_scope and included(name, own) and os.path.isfile(p) \
                and not skipped(p, own):
            out.append(p)
    return out


def expand(paths: Iterable[str], settings: Settings,
           settings_for: Optional[SettingsFor] = None) -> List[str]:
    """The files to check, each once, in a stable order.

    An explicit file is checked unless `exclude` matches it (pre-commit
    passes files one by one, so exclusion must hold for them too).
    `settings_for` gives a path its own settings (the nearest configuration
    above it); without it every path takes `settings`.
    """
    by_own: SettingsFor = settings_for or (lambda _path: settings)

    def skipped(path: str, own: Settings) -> bool:
        # The path's own configuration decides (test code, its excludes); the
        # run's exclusions (the command line's, the starting configuration's)
        # still prune what lies below where the run started.
        return is_excluded(path, own) or (own is not settings
                                          and _patterns_exclude(path, settings))

    out: List[str] = []
    seen = set()
    for path in paths:
        if not os.path.exists(path):
            raise UsageError(f"{path}: no such file or directory")
        if os.path.isdir(path):
            # absolute once: no path below needs the working directory again
            listed = _git_files(os.path.abspath(path))
            if listed is None:
                candidates = _walk(path, by_own, skipped)
            else:
                candidates = sorted(_taken(listed, by_own, skipped))
        else:
            candidates = [] if skipped(path, by_own(path)) else [path]
        for c in candidates:
            key = os.path.normcase(os.path.abspath(c))
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


def display(path: str, cwd: str) -> str:
    """The path as the user should see it: relative to cwd when below it."""
    full = os.path.abspath(path)
    rel = relative(full, cwd)
    if rel.startswith(".."):  # git reports resolved paths; cwd may hold a symlink
        real = os.path.realpath(full)
        rel = relative(real, os.path.realpath(cwd))
        full = real
    shown = full if rel.startswith("..") else rel
    return shown.replace(os.sep, "/")
