"""What a run will do: the settings, the change, the files and definitions
to look at (the jobs), and how many workers may do them.

Nothing here parses Python or prints; git is asked through diff.
"""
from __future__ import annotations

import os
from typing import Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from howto_hook import codes as rules, diff
from howto_hook.cli import PROG, Options
from howto_hook.config import (ConfigError, Settings, config_in, find_config, load_settings,
                               parse_override)
from howto_hook.discover import (UsageError, display, expand, ignored_codes, included,
                                 is_excluded)
from howto_hook.streams import relative


class Job(NamedTuple):
    """One file to check or fix, with the codes enabled for it and, for a
    change, its changed lines (None: every definition)."""

    path: str
    display: str
    enabled: FrozenSet[str]
    changed: Optional[FrozenSet[int]] = None
    # the file's own settings when its nearest configuration is not the
    # run's (a package in a monorepo); None: Plan.settings
    settings: Optional[Settings] = None
    # (qualified name, code, docstring hash) of the findings the baseline
    # records for this file: a whole-repository fix leaves those alone
    baselined: FrozenSet[Tuple[str, str, str]] = frozenset()


class Plan(NamedTuple):
    settings: Settings
    change: Optional[diff.Change]  # None: every definition is checked
    jobs: List[Job]
    workers: int
    generator: str  # what --fix writes guides with: "template" or "llm"
    note: str = ""  # a line for stderr about how the run was read, or ""
    # where .howto_cache/ lives: the repository's top, else the working
    # directory, whichever configuration each file takes
    cache_root: Optional[str] = None


def make(options: Options, cwd: str) -> Plan:
    """The settings, the change and the jobs for one run from `cwd`."""
    configs = Configs(options, cwd)
    settings = configs.base
    enabled = rules.enabled_codes(settings.select, settings.ignore)
    if not enabled:
        raise UsageError(f"no rule is enabled (select {', '.join(settings.select) or 'nothing'}"
                         f", ignore {', '.join(settings.ignore) or 'nothing'}): "
                         "nothing would be checked")
    paths = options.paths or (".",)
    change = _change(options, settings, cwd)
    note = ""
    if change is not None and _whole_files_run(options, change, cwd, os.environ):
        # `pre-commit run --all-files` or `--files`: pre-commit names files
        # no commit touches, and checking their changes would check nothing
        change = None
        applied = ", baseline applied" if _baseline_given(options, configs.base) else ""
        note = (f"{PROG}: pre-commit named files that do not differ from HEAD "
                "(pre-commit run --all-files or --files): checking them whole"
                f"{applied}")
    if change is None:
        jobs = _all_jobs(paths, configs, cwd)
        if not jobs and not note:
            note = _tests_note(paths, configs)
    else:
        jobs = _changed_jobs(change, paths, configs, cwd)
    return Plan(settings, change, jobs, options.jobs or os.cpu_count() or 1,
                options.generator or settings.generator, note,
                _cache_root(options, change, jobs, cwd))


def _baseline_given(options: Options, settings: Settings) -> bool:
    """Whether this run has a baseline to apply (output.load_baseline reads it)."""
    return bool(options.baseline or settings.baseline) and not options.no_baseline


def runs_examples(plan: Plan) -> bool:
    """Whether any file of the run asks for its examples to be run (HOW403)."""
    return bool(plan.settings.run_examples) or any(
        j.settings is not None and j.settings.run_examples for j in plan.jobs)


def _tests_note(paths: Sequence[str], configs: "Configs") -> str:
    """Why naming test code checks nothing, or ""."""
    from howto_hook.discover import is_test_code

    for p in paths:
        if os.path.exists(p) and is_test_code(p, configs.for_file(p)):
            return (f"{PROG}: {p} is test code, out of scope by default; "
                    "set include-tests = true to check it")
    return ""


def _cache_root(options: Options, change: Optional[diff.Change], jobs: List[Job],
                cwd: str) -> Optional[str]:
    """The repository's top (else cwd), asked of git only when a cache or a
    machine format will use it: a commit's text-format check never does."""
    if not jobs or (change is not None and options.output_format == "text"
                    and not options.fixing):
        return None
    repo = diff.repository(cwd)
    return repo.root if repo is not None else os.path.abspath(cwd)


def _whole_files_run(options: Options, change: diff.Change, cwd: str,
                     environ: Mapping[str, str]) -> bool:
    """Whether pre-commit runs us over files rather than over a commit.

    On a commit pre-commit names the staged files, and every one of them
    differs from HEAD (a rename or a mode change counts: git lists the path).
    `--all-files` and `--files` name files whatever their state, so one
    named file that does not differ shows the run is not a commit's. Only
    the plain working-tree change is read this way: refs (pre-push,
    --from-ref/--to-ref) and --diff-base say what to check themselves.
    """
    if environ.get("PRE_COMMIT") != "1" or not change.description.startswith(
            diff.AGAINST_HEAD):
        return False
    named = {os.path.realpath(p) for p in options.paths if os.path.isfile(p)}
    if named <= {os.path.realpath(p) for p in change.files}:
        return False  # the common case, a commit: no more git to ask
    # renames and mode changes have no changed line, so the change leaves
    # them out: ask git for every path that differs at all
    repo = diff.repository(cwd)
    paths = diff.differing(repo.root) if repo is not None and repo.has_head else None
    if paths is None:
        return False
    return not named <= {os.path.realpath(p) for p in paths}


def _codes(value: Optional[str], flag: str) -> Optional[Tuple[str, ...]]:
    if value is None:
        return None
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    if not codes:
        raise UsageError(f"{flag} was given no rule codes")
    for c in codes:
        if not rules.valid_selector(c):
            raise UsageError(f"{flag}: unknown rule selector {c!r}")
    return codes


class Configs:
    """Each file's settings, as ruff finds them: `--config FILE` for every
    file, else the nearest configuration above the file (config.find_config);
    the command line's settings (--config KEY=VALUE, --select, --ignore,
    --exclude, --extend-exclude, ...) laid over each. Every configuration is
    read once per run.
    """

    def __init__(self, options: Options, cwd: str) -> None:
        files = [c for c in options.config if os.path.isfile(c) or "=" not in c]
        if len(files) > 1:
            raise UsageError("--config FILE may be given once")
        self.options = options
        self.cwd = os.path.abspath(cwd)
        self.fixed = files[0] if files else None
        self.overrides = tuple(parse_override(c) for c in options.config if c not in files)
        self.select = _codes(options.select, "--select")
        self.ignore = _codes(options.ignore, "--ignore")
        self._near: Dict[str, Optional[str]] = {}
        self._loaded: Dict[Optional[str], Settings] = {}
        self._enabled: Dict[int, FrozenSet[str]] = {}  # per loaded Settings, by id
        self.base = self._settings(self.fixed if self.fixed else find_config(self.cwd))

    def for_file(self, path: str) -> Settings:
        """The settings `path` is checked with."""
        if self.fixed:
            return self.base
        return self._settings(self._nearest(os.path.dirname(os.path.abspath(path))))

    def _nearest(self, directory: str) -> Optional[str]:
        if directory not in self._near:
            found = config_in(directory)
            parent = os.path.dirname(directory)
            if found is None and parent != directory:
                found = self._nearest(parent)
            self._near[directory] = found
        return self._near[directory]

    def _settings(self, path: Optional[str]) -> Settings:
        if path not in self._loaded:
            loaded = load_settings(path, cwd=self.cwd, overrides=self.overrides,
                                   trust_flag=self.options.trust)
            self._loaded[path] = self._adjust(loaded)
        return self._loaded[path]

    def _adjust(self, settings: Settings) -> Settings:
        options = self.options
        for sel in settings.select + settings.ignore:
            if not rules.valid_selector(sel):
                raise ConfigError(f"{settings.config_path}: unknown rule selector {sel!r}")
        changes: Dict[str, object] = {}
        if self.select is not None:
            changes["select"] = self.select
        if self.ignore is not None:
            changes["ignore"] = settings.ignore + self.ignore
        if options.exclude is not None:
            changes["exclude"] = _patterns(options.exclude)
        if options.extend_exclude is not None:
            changes["extend_exclude"] = settings.extend_exclude + _patterns(
                options.extend_exclude)
        if options.run_examples is not None:
            changes["run_examples"] = options.run_examples
        if options.example_python:
            changes["example_python"] = os.path.abspath(options.example_python)
        return settings.with_changes(**changes) if changes else settings

    def job(self, path: str, display_as: str, changed: Optional[FrozenSet[int]] = None) -> Job:
        settings = self.for_file(path)
        enabled = self._enabled.get(id(settings))
        if enabled is None:  # once per configuration, not once per file
            enabled = self._enabled[id(settings)] = rules.enabled_codes(settings.select,
                                                                        settings.ignore)
        own = None if settings is self.base else settings
        return Job(path, display_as, _codes_for(path, settings, enabled), changed, own)


def load_settings_for(options: Options, cwd: str) -> Settings:
    """The settings a run from `cwd` takes, without looking for files or a change
    (the batch commands that take no paths)."""
    return Configs(options, cwd).base


def _patterns(value: str) -> Tuple[str, ...]:
    return tuple(p.strip() for p in value.split(",") if p.strip())


def _change(options: Options, settings: Settings, cwd: str) -> Optional[diff.Change]:
    """The change to check, by SPEC 4's precedence; None means every definition."""
    if options.all:
        return None
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF")
    plain = not (options.diff_base or (from_ref and to_ref) or settings.diff_base)
    if plain and not options.paths:
        # The plain hook, looking at the current directory: one round of git.
        change = diff.working_tree_below(cwd, [f":(glob)**/{p}" for p in settings.include])
        if change is not None:
            return change
    named = _named_below(options.paths, cwd) if plain else None
    if named:
        # pre-commit names the staged files: git looks at those paths alone,
        # in one round, and never stats the rest of the tree (a file the
        # commit adds may be a rename's new name: then the tree is asked)
        change = diff.working_tree_below(cwd, [":(literal)" + p for p in named],
                                         files_only=True)
        if change is not None:
            return change
    repo = diff.repository(cwd)
    if repo is None:
        if options.diff_base:
            raise UsageError(f"--diff-base {options.diff_base} needs a git repository, and "
                             f"{cwd} is not inside one")
        return None  # outside a repository there is no change to look at
    root = repo.root
    if options.diff_base:
        return diff.since_base(root, options.diff_base)
    if from_ref and to_ref:
        return diff.between_refs(root, from_ref, to_ref)
    if settings.diff_base:
        return diff.since_base(root, settings.diff_base)
    return diff.working_tree(repo, _pathspecs(options.paths, settings, root))


def _named_below(paths: Sequence[str], cwd: str) -> Optional[List[str]]:
    """The paths as git names them from `cwd` when every one is a file below
    it under its own name (no symlink, no ".."); None otherwise."""
    here = os.path.realpath(cwd)
    out = []
    for p in paths:
        full = os.path.normpath(os.path.join(here, p))
        if not os.path.isfile(full) or os.path.realpath(full) != full \
                or not full.startswith(here.rstrip(os.sep) + os.sep):
            return None
        out.append(relative(full, here).replace(os.sep, "/"))
    return out


def _pathspecs(paths: Sequence[str], settings: Settings, root: str) -> List[str]:
    """What git needs to look at: files the include globs take, and files named."""
    # ":(top)" anchors the globs at the repository's top from any directory
    specs = [f":(top,glob)**/{pattern}" for pattern in settings.include]
    for p in paths:
        if os.path.isfile(p):
            rel = relative(os.path.realpath(p), os.path.realpath(root))
            if not (rel.startswith("..") or os.path.isabs(rel)):  # inside the repository
                specs.append(":(literal)" + rel.replace(os.sep, "/"))
    return specs


def _codes_for(path: str, settings: Settings, enabled: FrozenSet[str]) -> FrozenSet[str]:
    if not settings.per_file_ignores:
        return enabled
    per_file = ignored_codes(path, settings)
    if not per_file:
        return enabled
    return frozenset(c for c in enabled if not rules.matches(c, per_file))


def _all_jobs(paths: Sequence[str], configs: Configs, cwd: str) -> List[Job]:
    # each file and directory of the walk is judged by its own configuration
    return [configs.job(f, display(f, cwd))
            for f in expand(paths, configs.base, configs.for_file)]


def _changed_jobs(change: diff.Change, paths: Sequence[str], configs: Configs,
                  cwd: str) -> List[Job]:
    """Changed files under the given paths; a named file must be in the change."""
    named: set = set()
    dirs: List[str] = []
    for p in paths:
        if not os.path.exists(p):
            raise UsageError(f"{p}: no such file or directory")
        full = os.path.realpath(p)
        if os.path.isdir(full):
            dirs.append(full.rstrip(os.sep) + os.sep)
        else:
            named.add(full)
    jobs = []
    for path in sorted(change.files):
        lines = change.files[path]
        real = os.path.realpath(path)
        if lines is not None and not lines:
            continue  # renamed or mode change only: no line of it changed
        if not os.path.isfile(real):
            continue
        settings = configs.for_file(path)
        if real in named:
            pass  # named explicitly (pre-commit passes scripts without .py too)
        elif not (any(real.startswith(d) for d in dirs) and included(real, settings)):
            continue
        if is_excluded(path, settings):
            continue
        jobs.append(configs.job(path, display(path, cwd), lines))
    # A path inside a submodule has no changed lines in this repository's diff:
    # say so rather than report it as unchanged.
    taken = {os.path.realpath(j.path) for j in jobs}
    for p in paths:
        if os.path.realpath(p) in taken:
            continue
        inner = diff.nested_repository(p, cwd)
        if inner is not None:
            raise UsageError(f"{p} lies in {display(inner, cwd)}, a submodule or nested "
                             "repository whose changes this repository does not see; run "
                             f"howto-check inside {display(inner, cwd)}")
    return jobs
