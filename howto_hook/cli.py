"""The command line, parsed: argparse into one frozen Options record.

Every flag is declared once, in OPTIONS; Options has one field per flag, so
adding a flag means a row there and a field here (parse_args fails loudly
otherwise). Nothing here reads a file but a rule's doc for --explain.
"""
from __future__ import annotations

import argparse
import re
from typing import Dict, NamedTuple, NoReturn, Optional, Sequence, Tuple

from howto_hook import PROG, __version__, codes as rules, report
from howto_hook.discover import UsageError

# Below this many files a worker pool costs more than it saves.


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
    ("--config", dict(metavar="FILE|KEY=VALUE", action="append", default=[],
                      help="a config file for every path (howto.toml keys, or [tool.howto] "
                           "of a pyproject.toml), or one setting KEY=VALUE in TOML "
                           "(repeatable; default: each file's nearest config)")),
    ("--exclude", dict(metavar="PATTERNS",
                       help="comma-separated patterns to exclude, replacing the config's")),
    ("--extend-exclude", dict(metavar="PATTERNS",
                              help="comma-separated patterns to exclude as well")),
    ("--stdin-filename", dict(metavar="PATH",
                              help="read the source from stdin and check it as if it were "
                                   "PATH (with --fix: print it fixed)")),
    ("--color", dict(choices=("auto", "always", "never"), default="auto",
                     help="colour the text output (default: auto, which honours NO_COLOR, "
                          "FORCE_COLOR and TERM=dumb)")),
    ("--output-format", dict(choices=report.FORMATS, default="text",
                             help="how to print violations (default: text)")),
    ("--jobs", dict(type=_positive_int, metavar="N",
                    help="worker processes for large runs (default: number of cores)")),
    ("--exit-zero", dict(action="store_true",
                         help="exit 0 even when violations are found or --fix changed files")),
    ("--exit-non-zero-on-fix", dict(action="store_true",
                                    help="exit 1 when --fix changed a file, even if no "
                                         "violation remains")),
    ("--statistics", dict(action="store_true",
                          help="print only the number of violations per rule (JSON with "
                               "--output-format json)")),
    ("--explain", dict(metavar="CODE", help="print what a rule checks and why")),
    ("--baseline", dict(metavar="FILE",
                        help="hide the violations recorded in FILE (config: baseline)")),
    ("--no-baseline", dict(action="store_true",
                           help="apply no baseline in this run, whatever the config says "
                                "(a whole-repository --fix then fixes baselined definitions)")),
    ("--generate-baseline", dict(metavar="FILE",
                                 help="record every current violation in FILE (implies --all)")),
    ("--add-noqa", dict(action="store_true",
                        help="add # noqa comments for the current violations")),
    ("--fail-under", dict(type=_percent, metavar="PCT",
                          help="fail when fewer than PCT%% of checked definitions have a "
                               "passing guide")),
    ("--run-examples", dict(action=argparse.BooleanOptionalAction, default=None,
                            help="run each Usage Example and report HOW403 (this runs the "
                                 "project's code; config: run-examples)")),
    ("--example-python", dict(metavar="PATH",
                              help="interpreter the examples run on (default: "
                                   "$VIRTUAL_ENV, else .venv or venv at the repository "
                                   "root, else howto-check's own)")),
    ("--trust", dict(action="store_true",
                     help="trust the repository's config files to run code and choose where "
                          "source and keys go (run-examples, example-python, fix.generator, "
                          "llm.base-url, llm.api-key-env), and remember them until they "
                          "change (also HOWTO_TRUST=1)")),
    ("--batch-submit", dict(action="store_true",
                            help="send the requests --fix --generator llm would send as a "
                                 "provider batch (Batch API; about half the price)")),
    ("--batch-status", dict(action="store_true",
                            help="list the recorded batches with the provider's status")),
    ("--batch-collect", dict(action="store_true",
                             help="fetch finished batches and apply their answers as --fix "
                                  "would, sending no request")),
    ("--batch-export", dict(metavar="FILE",
                            help="write the batch's request JSONL to FILE for a self-hosted "
                                 "batch runner (vLLM's run_batch), uploading nothing")),
    ("--batch-import", dict(metavar="FILE",
                            help="read a batch runner's output JSONL into the LLM cache; "
                                 "--fix then applies it")),
    ("--batch-forget", dict(metavar="ID", help="drop the record of batch ID")),
)


def build_parser() -> argparse.ArgumentParser:
    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            # One line, like every other user mistake, instead of usage + error.
            self.exit(2, f"{PROG}: error: {message}{_did_you_mean(message, self)} "
                         f"(see {PROG} --help)\n")

    p = Parser(
        prog=PROG,
        # as ruff: `--al` is a mistake, not an abbreviation of --all
        allow_abbrev=False,
        description="Check that the docstrings of changed functions and classes "
                    "are usage guides.",
        # add_argument makes a formatter to check each metavar, and one of
        # unknown width imports shutil (with bz2, lzma and zlib) to measure
        # the terminal: a sixth of a commit's start-up, for no output.
        formatter_class=_unsized_formatter,
    )
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or directories to check (default: .)")
    for flag, spec in OPTIONS:
        p.add_argument(flag, **spec)  # type: ignore[arg-type]
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    p.formatter_class = argparse.HelpFormatter  # --help fits the terminal
    return p


def _unsized_formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.HelpFormatter(prog, width=80)


def _did_you_mean(message: str, parser: argparse.ArgumentParser) -> str:
    """"; did you mean --all?" for an unknown flag close to a known one, else ""."""
    m = re.match(r"unrecognized arguments: (.*)", message)
    if m is None:
        return ""
    import difflib  # a mistake's cost, not every run's

    flags = [f for a in parser._actions for f in a.option_strings]  # no public list
    for word in m.group(1).split():
        if word.startswith("--"):
            close = difflib.get_close_matches(word.split("=", 1)[0], flags, n=1, cutoff=0.6)
            if close:
                return f"; did you mean {close[0]}?"
    return ""


class Options(NamedTuple):
    """The parsed command line: one field per flag (`--diff-base` is diff_base)."""

    paths: Tuple[str, ...]
    all: bool
    diff_base: Optional[str]
    fix: bool
    diff: bool
    generator: Optional[str]
    no_cache: bool
    select: Optional[str]
    ignore: Optional[str]
    config: Tuple[str, ...]
    exclude: Optional[str]
    extend_exclude: Optional[str]
    stdin_filename: Optional[str]
    color: str
    output_format: str
    jobs: Optional[int]
    exit_zero: bool
    exit_non_zero_on_fix: bool
    statistics: bool
    explain: Optional[str]
    baseline: Optional[str]
    no_baseline: bool
    generate_baseline: Optional[str]
    add_noqa: bool
    fail_under: Optional[float]
    run_examples: Optional[bool]  # None: as config says
    example_python: Optional[str]
    trust: bool
    batch_submit: bool
    batch_status: bool
    batch_collect: bool
    batch_export: Optional[str]
    batch_import: Optional[str]
    batch_forget: Optional[str]

    @property
    def fixing(self) -> bool:
        return self.fix or self.diff

    @property
    def batch(self) -> bool:
        return bool(self.batch_submit or self.batch_status or self.batch_collect
                    or self.batch_export or self.batch_import or self.batch_forget)


def parse_args(argv: Sequence[str]) -> Options:
    """The command line. Raises SystemExit for --help, --version and mistakes,
    as argparse does."""
    values = vars(build_parser().parse_args(argv))
    values["paths"] = tuple(values["paths"])
    values["config"] = tuple(values["config"])
    # a baseline of one commit's definitions would be a partial one
    values["all"] = values["all"] or bool(values["generate_baseline"])
    return Options(**values)


def refuse_conflicts(options: Options) -> None:
    """UsageError for flags that do not go together."""
    batch = [f for f, on in (("--batch-submit", options.batch_submit),
                             ("--batch-status", options.batch_status),
                             ("--batch-collect", options.batch_collect),
                             ("--batch-export", options.batch_export),
                             ("--batch-import", options.batch_import),
                             ("--batch-forget", options.batch_forget)) if on]
    if len(batch) > 1 or (batch and (options.fixing or options.add_noqa
                                     or options.generate_baseline)):
        others = batch + [f for f, on in (("--fix", options.fix), ("--diff", options.diff),
                                          ("--add-noqa", options.add_noqa),
                                          ("--generate-baseline", options.generate_baseline))
                          if on]
        raise UsageError(f"{' and '.join(others)} do not combine; give one batch option "
                         "at a time")
    if options.generate_baseline and (options.fixing or options.baseline or options.add_noqa):
        raise UsageError("--generate-baseline records violations; it does not combine with "
                         "--fix, --diff, --baseline or --add-noqa")
    if options.no_baseline and options.baseline:
        raise UsageError("--baseline and --no-baseline contradict each other; give one")
    if options.diff and options.statistics:
        raise UsageError("--diff prints a diff and --statistics a table: stdout holds one of "
                         "them, so give one")
    if options.diff and options.output_format != "text":
        # stdout holds one document: a diff, or the chosen format, never both
        raise UsageError(f"--diff prints a diff, which --output-format "
                         f"{options.output_format} cannot hold; use the text format")
    # as ruff: --stdin-filename reads stdin, with no path or the path '-'
    if ("-" in options.paths and not options.stdin_filename) or (
            options.stdin_filename and options.paths not in ((), ("-",))):
        raise UsageError("read a source from stdin with: --stdin-filename PATH "
                         "(and no other path, or '-')")
    if options.stdin_filename and (options.add_noqa or options.generate_baseline):
        raise UsageError("--add-noqa and --generate-baseline work on files, not on stdin")
    if options.generate_baseline:
        from howto_hook.baseline import unwritable

        problem = unwritable(options.generate_baseline)
        if problem:  # say so before the whole tree is checked, not after
            raise UsageError(problem)
    if options.generate_baseline is not None and not options.generate_baseline.strip():
        raise UsageError("--generate-baseline was given an empty file name "
                         "(e.g. --generate-baseline howto-baseline.json)")
    if options.diff_base is not None and not options.diff_base.strip():
        raise UsageError("--diff-base was given an empty revision (e.g. --diff-base origin/main)")


def explain(code: str) -> str:
    from howto_hook.docs import rule_doc

    code = code.strip().upper()
    if code not in rules.CODES:
        raise UsageError(f"--explain: unknown rule code {code!r} "
                         f"(known: {', '.join(rules.all_codes())})")
    return rule_doc(code)
