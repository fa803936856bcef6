"""The command line: arguments, settings, files, workers, output, exit status.

This is the only module that prints. Everything a user can get wrong ends
in one line on stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import difflib
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import (Any, Callable, Dict, FrozenSet, Iterator, List, NamedTuple, NoReturn,
                    Optional, Sequence, Tuple)

from howto_hook import __version__, baseline, cache, codes as rules, diff, report
from howto_hook.check import (FileResult, add_noqa, analyse, check_file, check_source,
                              decode_exact, unreadable)
from howto_hook.config import ConfigError, Settings, load_settings
from howto_hook.discover import (UsageError, display, expand, ignored_codes, included,
                                 is_excluded)
from howto_hook.docs import rule_doc
from howto_hook.fix import finish, fix_file, read_plan, write_atomic
from howto_hook.generate.template import TemplateGenerator
from howto_hook.model import Violation
from howto_hook.validate import same_code

PROG = "howto-check"
# Below this many files a worker pool costs more than it saves.
PARALLEL_MIN_FILES = 24


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {n}")
    return n


def _percent(value: str) -> float:
    try:
        n = float(value.rstrip("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a percentage, got {value!r}") from None
    if not 0 <= n <= 100:
        raise argparse.ArgumentTypeError(f"expected 0 to 100, got {value}")
    return n


# Every option, once: the parser is built from this table.
OPTIONS: Tuple[Tuple[str, Dict[str, object]], ...] = (
    ("--all", dict(action="store_true",
                   help="check every definition, not only changed ones")),
    ("--diff-base", dict(metavar="REV",
                         help="check changes since the merge base of REV and HEAD "
                              "(the CI mode)")),
    ("--fix", dict(action="store_true",
                   help="rewrite failing docstrings of the definitions checked")),
    ("--diff", dict(action="store_true",
                    help="with --fix: print a unified diff of the fixes and write nothing")),
    ("--generator", dict(choices=("template", "llm"),
                         help="how --fix writes guides (default: config, else template)")),
    ("--no-cache", dict(action="store_true", help="neither read nor write .howto_cache/")),
    ("--select", dict(metavar="CODES",
                      help="comma-separated rule codes or prefixes to enable "
                           "(e.g. HOW1,HOW301)")),
    ("--ignore", dict(metavar="CODES", help="comma-separated rule codes or prefixes to disable")),
    ("--config", dict(metavar="PATH",
                      help="pyproject.toml to read (default: the nearest one upwards)")),
    ("--output-format", dict(choices=report.FORMATS, default="text",
                             help="how to print violations (default: text)")),
    ("--jobs", dict(type=_positive_int, metavar="N",
                    help="worker processes for large runs (default: number of cores)")),
    ("--exit-zero", dict(action="store_true", help="exit 0 even when violations are found")),
    ("--statistics", dict(action="store_true",
                          help="print the number of violations per rule")),
    ("--explain", dict(metavar="CODE", help="print what a rule checks and why")),
    ("--baseline", dict(metavar="FILE",
                        help="hide the violations recorded in FILE (config: baseline)")),
    ("--generate-baseline", dict(metavar="FILE",
                                 help="record every current violation in FILE (implies --all)")),
    ("--add-noqa", dict(action="store_true",
                        help="add # noqa comments for the current violations")),
    ("--fail-under", dict(type=_percent, metavar="PCT",
                          help="fail when fewer than PCT%% of checked definitions have a "
                               "passing guide")),
)


def build_parser() -> argparse.ArgumentParser:
    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # One line, like every other user mistake, instead of usage + error.
            self.exit(2, f"{PROG}: error: {message} (see {PROG} --help)\n")

    p = Parser(
        prog=PROG,
        description="Check that the docstrings of changed functions and classes "
                    "are usage guides.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or directories to check (default: .)")
    for flag, spec in OPTIONS:
        p.add_argument(flag, **spec)  # type: ignore[arg-type]
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line. Raises SystemExit for --help, --version and mistakes,
    as argparse does."""
    return build_parser().parse_args(argv)


def _codes(value: Optional[str], flag: str) -> Optional[Tuple[str, ...]]:
    if value is None:
        return None
    codes = tuple(c.strip().upper() for c in value.split(",") if c.strip())
    for c in codes:
        if not rules.valid_selector(c):
            raise UsageError(f"{flag}: unknown rule selector {c!r}")
    return codes


class Job(NamedTuple):
    path: str
    display: str
    enabled: FrozenSet[str]
    changed: Optional[FrozenSet[int]] = None


def _run_one(job: Job, settings: Settings, cache_root: Optional[str] = None) -> FileResult:
    if cache_root is None or job.changed is not None:
        return check_file(job.path, job.display, settings, job.enabled, job.changed)
    try:
        with open(job.path, "rb") as f:
            data = f.read()
    except OSError as e:
        return FileResult(job.display, unreadable(job.display, e, job.enabled), 0, 0)
    k = cache.key(data, job.path, cache.settings_token(settings, job.enabled))
    store = cache.ResultCache(cache_root)
    hit = store.get(k, job.display)
    if hit is not None:
        return hit
    result = check_source(data, path=job.display, settings=settings, enabled=job.enabled)
    store.put(k, result)
    return result


def _run_batch(batch: List[Job], settings: Settings, cache_root: Optional[str]
               ) -> List[FileResult]:
    return [_run_one(j, settings, cache_root) for j in batch]


def run_jobs(jobs: List[Job], settings: Settings, workers: int,
             cache_root: Optional[str] = None) -> List[FileResult]:
    """Check files, in worker processes when there are enough of them."""
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        return [_run_one(j, settings, cache_root) for j in jobs]
    # Largest files first, so that the run does not end with one worker
    # still parsing a big module while the others wait.
    order = sorted(range(len(jobs)), key=lambda n: -_size(jobs[n].path))
    results: List[Optional[FileResult]] = [None] * len(jobs)
    for n, result in _in_workers(_run_batch, jobs, workers, 16, (settings, cache_root), order):
        results[n] = result
    return results  # type: ignore[return-value]  # every slot is filled


def _in_workers(batch_fn: Callable[..., list], jobs: List[Job], workers: int, most: int,
                extra: Tuple[object, ...], order: Optional[List[int]] = None
                ) -> Iterator[Tuple[int, Any]]:
    """`batch_fn(batch, *extra)` over the jobs in worker processes; yields
    (index into jobs, result) batch by batch, in `order` (default: as listed).

    Small batches (at most `most` files) keep every worker busy to the end;
    one file each would spend more on messages than on the work.
    """
    # fork keeps start-up cheap: workers inherit the imported modules.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    order = list(range(len(jobs))) if order is None else order
    size = max(1, min(most, len(jobs) // (workers * 8)))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    batches = [[jobs[n] for n in chunk] for chunk in chunks]
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context(method)) as pool:
        for chunk, results in zip(chunks, pool.map(batch_fn, batches,
                                                   *([x] * len(batches) for x in extra))):
            yield from zip(chunk, results)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0  # reported as unreadable by the worker


def _use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _explain(code: str) -> str:
    code = code.strip().upper()
    if code not in rules.CODES:
        raise UsageError(f"--explain: unknown rule code {code!r} "
                         f"(known: {', '.join(rules.all_codes())})")
    return rule_doc(code)


def _settings(args: argparse.Namespace, cwd: str) -> Settings:
    settings = load_settings(args.config, cwd=cwd)
    select = _codes(args.select, "--select")
    ignore = _codes(args.ignore, "--ignore")
    for sel in settings.select + settings.ignore:
        if not rules.valid_selector(sel):
            raise ConfigError(f"{settings.config_path}: unknown rule selector {sel!r}")
    changes: Dict[str, object] = {}
    if select is not None:
        changes["select"] = select
    if ignore is not None:
        changes["ignore"] = settings.ignore + ignore
    return settings.with_changes(**changes) if changes else settings


def _change(args: argparse.Namespace, settings: Settings, cwd: str) -> Optional[diff.Change]:
    """The change to check, by SPEC 4's precedence; None means every definition."""
    if args.all:
        return None
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF")
    plain = not (args.diff_base or (from_ref and to_ref) or settings.diff_base)
    if plain and not args.paths:
        # The plain hook, looking at the current directory: one round of git.
        change = diff.working_tree_below(cwd, [f":(glob)**/{p}" for p in settings.include])
        if change is not None:
            return change
    repo = diff.repository(cwd)
    if repo is None:
        if args.diff_base:
            raise UsageError(f"--diff-base {args.diff_base} needs a git repository, and "
                             f"{cwd} is not inside one")
        return None  # outside a repository there is no change to look at
    root = repo.root
    if args.diff_base:
        return diff.since_base(root, args.diff_base)
    if from_ref and to_ref:
        return diff.between_refs(root, from_ref, to_ref)
    if settings.diff_base:
        return diff.since_base(root, settings.diff_base)
    return diff.working_tree(repo, _pathspecs(args.paths, settings, root))


def _pathspecs(paths: List[str], settings: Settings, root: str) -> List[str]:
    """What git needs to look at: files the include globs take, and files named."""
    # ":(top)" anchors the globs at the repository's top from any directory
    specs = [f":(top,glob)**/{pattern}" for pattern in settings.include]
    for p in paths:
        if os.path.isfile(p):
            rel = os.path.relpath(os.path.realpath(p), os.path.realpath(root))
            if not rel.startswith(".."):
                specs.append(":(literal)" + rel.replace(os.sep, "/"))
    return specs


def _codes_for(path: str, settings: Settings, enabled: FrozenSet[str]) -> FrozenSet[str]:
    per_file = ignored_codes(path, settings)
    if not per_file:
        return enabled
    return frozenset(c for c in enabled if not rules.matches(c, per_file))


def _all_jobs(paths: List[str], settings: Settings, enabled: FrozenSet[str],
              cwd: str) -> List[Job]:
    return [Job(f, display(f, cwd), _codes_for(f, settings, enabled))
            for f in expand(paths, settings)]


def _changed_jobs(change: diff.Change, paths: List[str], settings: Settings,
                  enabled: FrozenSet[str], cwd: str) -> List[Job]:
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
        if real in named:
            pass  # named explicitly (pre-commit passes scripts without .py too)
        elif not (any(real.startswith(d) for d in dirs) and included(real, settings)):
            continue
        if not os.path.isfile(real) or is_excluded(path, settings):
            continue
        jobs.append(Job(path, display(path, cwd), _codes_for(path, settings, enabled), lines))
    return jobs


def _generator(name: str, settings: Settings, root: str,  # type: ignore[no-untyped-def]
               no_cache: bool = False):
    if name == "llm":
        from howto_hook.generate.llm import LLMGenerator

        return LLMGenerator.from_settings(settings, root=root, no_cache=no_cache)
    return TemplateGenerator()


def _fix_one(job: Job, settings: Settings, generator_name: str):  # type: ignore[no-untyped-def]
    return fix_file(job.path, job.display, settings, job.enabled, job.changed,
                    _generator(generator_name, settings, settings.root))


def _fix_batch(batch: List[Job], settings: Settings, generator_name: str) -> list:
    return [_fix_one(j, settings, generator_name) for j in batch]


def run_fixes(jobs: List[Job], settings: Settings, workers: int, generator_name: str,
              diff_only: bool, tally: "FixTally") -> list:
    """Fix files with the offline template, over worker processes for many files;
    each file is written as soon as its fix arrives."""
    if workers <= 1 or len(jobs) < PARALLEL_MIN_FILES:
        gen = _generator(generator_name, settings, settings.root)
        results = []
        for n, j in enumerate(jobs, start=1):
            results.append(fix_file(j.path, j.display, settings, j.enabled, j.changed, gen))
            _land(results[-1], diff_only, tally)
            _progress(n, len(jobs))
        return results
    results = []
    for _, f in _in_workers(_fix_batch, jobs, workers, 8, (settings, generator_name)):
        _land(f, diff_only, tally)
        results.append(f)
        _progress(len(results), len(jobs))
    return results


def _progress(done: int, total: int, what: str = "files") -> None:
    """A progress line on a terminal for long runs; nothing in logs."""
    if total < 20 or not sys.stderr.isatty():
        return
    end = "\n" if done == total else ""
    sys.stderr.write(f"\r{PROG}: fixing {what} {done}/{total}{end}")
    sys.stderr.flush()


class FixTally:
    def __init__(self) -> None:
        self.files_changed = self.fixed = self.failed = self.tokens = self.cached = 0


def _land(f, diff_only: bool, tally: FixTally) -> None:  # type: ignore[no-untyped-def]
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


def run_llm_fixes(jobs: List[Job], settings: Settings, generator, diff_only: bool,
                  tally: FixTally) -> list:  # type: ignore[no-untyped-def]
    """Ask for every definition at once; write each file as soon as it is complete,
    so that an interrupted run keeps the work already done."""
    plans = [read_plan(j.path, j.display, settings, j.enabled, j.changed, generator.name)
             for j in jobs]
    results: list = [None] * len(plans)
    waiting = {n: len(p.requests) for n, p in enumerate(plans)}
    gathered: Dict[int, list] = {n: [] for n in waiting}
    owner = {id(r): n for n, p in enumerate(plans) for r in p.requests}
    total = sum(waiting.values())

    def land(n: int) -> None:
        results[n] = finish(plans[n], gathered[n], settings=settings, enabled=jobs[n].enabled)
        _land(results[n], diff_only, tally)

    for n, count in waiting.items():
        if count == 0:
            land(n)
    done = 0
    for outcome in generator.stream([r for p in plans for r in p.requests]):
        n = owner[id(outcome.request)]
        gathered[n].append(outcome)
        waiting[n] -= 1
        done += 1
        _progress(done, total, "definitions")
        if waiting[n] == 0:
            land(n)
    return results


def _add_noqa(jobs: List[Job], settings: Settings) -> int:
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
        new = add_noqa(text, wanted)
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


def run(args: argparse.Namespace) -> int:
    cwd = os.getcwd()
    if args.explain:
        sys.stdout.write(_explain(args.explain))
        return 0
    if args.generate_baseline and (args.fix or args.diff or args.baseline or args.add_noqa):
        raise UsageError("--generate-baseline records violations; it does not combine with "
                         "--fix, --diff, --baseline or --add-noqa")
    if args.generate_baseline:
        args.all = True  # a baseline of one commit's definitions would be a partial one
    settings = _settings(args, cwd)
    enabled = rules.enabled_codes(settings.select, settings.ignore)
    paths = args.paths or ["."]
    change = _change(args, settings, cwd)
    if change is None:
        jobs = _all_jobs(paths, settings, enabled, cwd)
    else:
        jobs = _changed_jobs(change, paths, settings, enabled, cwd)
    workers = args.jobs or os.cpu_count() or 1
    if args.add_noqa:
        return _add_noqa(jobs, settings)
    baseline_file = args.baseline or (
        os.path.join(settings.root, settings.baseline) if settings.baseline else None)
    known = None
    if baseline_file and not args.generate_baseline:
        try:
            known = baseline.load(baseline_file)
        except baseline.BaselineError as e:
            raise UsageError(str(e)) from None
    fixing = args.fix or args.diff
    tally = FixTally()
    generator_name = args.generator or settings.generator
    if fixing:
        if generator_name == "llm":
            gen = _generator("llm", settings, settings.root, args.no_cache)
            fixes = run_llm_fixes(jobs, settings, gen, args.diff, tally)
        else:
            fixes = run_fixes(jobs, settings, workers, generator_name, args.diff, tally)
        results = [f.remaining for f in fixes]
    else:
        cache_root = None
        if change is None and not args.no_cache and jobs:
            try:
                cache.ensure_dir(settings.root)
                cache_root = settings.root
            except OSError:
                cache_root = None  # a read-only tree: run without the cache
        results = run_jobs(jobs, settings, workers, cache_root)

    violations: List[Violation] = sorted(
        (v for r in results for v in r.violations),
        key=lambda v: (v.path, v.line, v.col, v.code),
    )
    if args.generate_baseline:
        with open(args.generate_baseline, "w", encoding="utf-8") as f:
            f.write(baseline.dumps(violations, settings.root))
        sys.stderr.write(f"Recorded {len(violations)} violations in {args.generate_baseline}.\n")
        return 0
    stale: Tuple = ()
    if known is not None:
        applied = baseline.apply(violations, known, settings.root, baseline.checked_pairs(
            (r.path, r.symbols) for r in results))
        violations = list(applied.kept)
        stale = applied.stale
    out = report.render(args.output_format, violations, color=_use_color(sys.stdout))
    sys.stdout.write(out)
    if args.statistics:
        sys.stdout.write(report.statistics(violations))
    sys.stderr.write(report.summary(
        violations=len(violations),
        definitions=sum(r.checked for r in results),
        files=len(results),
        passing=sum(r.passing for r in results),
        changed_only=change is not None,
    ) + "\n")
    if fixing:
        verb = "Would fix" if args.diff else "Fixed"
        line = (f"{verb} {tally.fixed} definition{'s' if tally.fixed != 1 else ''} in "
                f"{tally.files_changed} file{'s' if tally.files_changed != 1 else ''}")
        if tally.failed:
            line += f"; {tally.failed} could not be fixed (see above)"
        if generator_name == "llm":
            line += f"; {tally.tokens} tokens used, {tally.cached} served from cache"
        sys.stderr.write(line + ".\n")
    if change is not None and not change.files and os.environ.get("CI") \
            and change.description.startswith("the working tree"):
        sys.stderr.write(f"{PROG}: hint: nothing differs from HEAD; in CI, pass "
                         "--diff-base origin/<base branch> to check the branch's changes\n")
    for path, symbol, code, _ in stale[:10]:
        sys.stderr.write(f"{PROG}: stale baseline entry: {path} {symbol or '(file)'} {code} "
                         "no longer occurs\n")
    if stale:
        entries = "entry is" if len(stale) == 1 else "entries are"
        sys.stderr.write(f"{PROG}: {len(stale)} baseline {entries} stale; rewrite the baseline "
                         "with --generate-baseline\n")
    definitions = sum(r.checked for r in results)
    if args.fail_under is not None and definitions:
        coverage = 100.0 * sum(r.passing for r in results) / definitions
        if coverage < args.fail_under:
            sys.stderr.write(f"{PROG}: guide coverage {coverage:.1f}% is below "
                             f"--fail-under {args.fail_under:g}%\n")
            return 1
    if fixing and tally.files_changed:
        return 1  # pre-commit's convention: a hook that changed files fails
    return 1 if violations and not args.exit_zero else 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as e:  # --help, --version and argument errors
        return int(e.code or 0) if not isinstance(e.code, str) else 2
    try:
        return run(args)
    except (UsageError, ConfigError, diff.GitError) as e:
        sys.stderr.write(f"{PROG}: error: {e}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:
        return 1
    except Exception as e:  # an internal error: say so in one line, no traceback
        if os.environ.get("HOWTO_DEBUG"):
            raise
        sys.stderr.write(f"{PROG}: internal error: {type(e).__name__}: {e} "
                         f"(set HOWTO_DEBUG=1 for the traceback and please report it)\n")
        return 2


def main_entry() -> None:
    raise SystemExit(main())
