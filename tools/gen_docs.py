"""Write the docs site's generated pages from the code's own definitions.

    python tools/gen_docs.py          # rewrite the pages under docs/
    python tools/gen_docs.py --check  # exit 1 when a committed page is stale

The command-line reference comes from `cli.build_parser()` (so from
`cli.OPTIONS`), the configuration reference from `config.Settings` and
`config.settings_from_table`, asked about each key: which keys exist (the
unknown-key error lists them), which TOML types each accepts and in what
range (its validation errors say so). Only the one-line meaning of each key
is written here, and a key without one stops the generator. The rule pages
are `howto_hook/rule_docs/` with the code table of `codes.py`.
`tests/test_docs.py` fails when a committed page differs from what this
script writes, so the reference cannot drift from the code.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from howto_hook import cli, codes, config  # noqa: E402
from howto_hook.docs import rule_doc  # noqa: E402

DOCS = os.path.join(ROOT, "docs")

# What each key means, in one line. Everything else on the page (type,
# range, choices, default) is read from the code.
MEANING: Dict[str, str] = {
    "select": "rule codes or prefixes to run (`\"ALL\"` for all)",
    "ignore": "rule codes or prefixes not to run",
    "per-file-ignores": "a table of path pattern to the codes not run on matching files",
    "include": "file-name patterns a directory walk takes",
    "exclude": "path patterns never checked (ruff's semantics); replaces the defaults",
    "extend-exclude": "path patterns never checked, on top of `exclude`",
    "scope": "which definitions are checked: public ones, or all",
    "title": "the guide's title",
    "sections": "the names of the three sections: a table of `description`, `steps`, "
                "`example`",
    "banned-words": "vague words (HOW301): a list, or a table of word to suggested verbs",
    "extend-banned-words": "added to `banned-words`",
    "require-step-labels": "HOW202 on or off",
    "diff-base": "check changes since `merge-base(diff-base, HEAD)` unless `--diff-base` "
                 "or pre-commit's refs say otherwise",
    "baseline": "a baseline file (`--generate-baseline`), relative to the config file",
    "run-examples": "run each Usage Example and report HOW403 (this runs the project's code)",
    "example-timeout": "seconds an example may run before it and its children are killed",
    "example-python": "the interpreter examples run on, relative to the config file "
                      "(default: the project's virtualenv)",
    "line-length": "width of the lines `--fix` writes (default: ruff's `line-length`, "
                   "else black's, else 88)",
    "include-tests": "check test code: `test_*.py`, `*_test.py`, `conftest.py`, `tests/`, "
                     "`test/`",
    "skip-decorators": "definitions with a decorator whose dotted name matches are out of "
                       "scope (click's and typer's commands, whose docstring is `--help`)",
    "extend-skip-decorators": "added to `skip-decorators`",
    "max-file-size": "bytes; larger files are reported (HOW002), not parsed",
    "file-timeout": "seconds one file's check or fix may take before it is stopped and "
                    "reported",
    "fix": "a table: `generator`, how `--fix` writes guides",
    "fix.generator": "how `--fix` writes guides: the offline template or an LLM",
    "llm": "a table: the LLM generator's server and limits (below)",
    "llm.model": "the model name the server knows",
    "llm.base-url": "the server's `/v1` URL (default: OpenAI's)",
    "llm.api-key-env": "environment variable holding the key; unset or empty is an error",
    "llm.timeout": "seconds one request may take, from connecting to its last byte",
    "llm.max-retries": "retries on connection errors, timeouts, 408, 409, 429 and 5xx",
    "llm.max-concurrency": "requests in flight at once",
    "llm.temperature": "sampling temperature",
    "llm.repair-attempts": "how often a failing answer is sent back with its violations",
    "llm.fallback": "`\"template\"` writes the offline guide when the model's answers keep "
                    "failing",
    "llm.budget": "wall-clock seconds for the whole run's requests",
}

# One sample of each TOML type, in the order the page names them.
SAMPLES: Tuple[Tuple[str, Any], ...] = (
    ("boolean", True), ("integer", 100), ("number", 100.5), ("string", "x"),
    ("list of strings", ["x"]), ("table", {}),
)
_TYPE_ERROR = re.compile(r"must be (a |an |true or false|one of)")


def _error(table: Mapping[str, Any]) -> Optional[str]:
    try:
        config.settings_from_table(table)
    except config.ConfigError as e:
        return str(e)
    return None


def _nest(path: Sequence[str], value: Any) -> Dict[str, Any]:
    out: Any = value
    for part in reversed(path):
        out = {part: out}
    return out


def keys(path: Sequence[str] = ()) -> List[str]:
    """The keys the validation knows at `path` (top level, or a table such as llm)."""
    message = _error(_nest([*path, "\x00"], 1)) or ""
    m = re.search(r"known keys: ([^)]*)\)", message)
    if m is None:
        return []
    return [k.strip() for k in m.group(1).split(",")]


def _describe(path: Sequence[str]) -> Tuple[str, str]:
    """(accepted TOML types, the range or choices) of one key, from its validation."""
    accepted = []
    for name, sample in SAMPLES:
        message = _error(_nest(path, sample))
        if message is None or not _TYPE_ERROR.search(message):
            accepted.append(name)
    notes = []
    choice = re.search(r"must be one of (.*), got", _error(_nest(path, "\x00")) or "")
    if choice:
        return "one of " + choice.group(1).replace("'", '"'), ""
    if "integer" in accepted or "number" in accepted:
        for probe in (-10**12, 10**12):
            bound = re.search(r"must be (at least|at most) (\S+),", _error(_nest(path, probe))
                              or "")
            if bound:
                notes.append(f"{bound.group(1)} {bound.group(2)}")
    if "integer" in accepted and "number" in accepted:
        accepted.remove("integer")
    empty = _error(_nest(path, "")) or ""
    if "string" in accepted and "must not be empty" in empty:
        notes.append("not empty")
    if "list of strings" in accepted and "table" in accepted:
        return "list of strings, or table", ", ".join(notes)
    return " or ".join(accepted), ", ".join(notes)


def _toml(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if hasattr(value, "_asdict"):  # a NamedTuple table such as sections
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value._asdict().items()) + " }"
    if isinstance(value, tuple) and value and all(isinstance(v, tuple) and len(v) == 2
                                                  for v in value):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value) + " }"
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _default(path: Sequence[str]) -> str:
    if path[0] == "llm" and len(path) == 2:
        value = getattr(config.LLMSettings(), path[1].replace("-", "_"))
        return "none" if path[1] == "fallback" and value is None else _toml(value)
    if tuple(path) == ("fix", "generator"):
        return _toml(config.Settings().generator)
    attr = path[0].replace("-", "_")
    if attr in config.Settings._fields:
        return _toml(getattr(config.Settings(), attr))
    return "[]" if path[0].startswith("extend-") else "none"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def configuration_page() -> str:
    rows: List[str] = []
    tables: List[Tuple[str, List[str]]] = []
    for key in keys():
        subkeys = keys([key])
        if subkeys:
            tables.append((key, subkeys))
            continue
        rows.append(_row([key]))
    out = [
        "# Configuration reference",
        "",
        "<!-- generated by tools/gen_docs.py from howto_hook/config.py: do not edit -->",
        "",
        "Keys of `[tool.howto]` in `pyproject.toml`, or top-level keys of `howto.toml` or",
        "`.howto.toml`. Each file is checked with the nearest configuration above it;",
        "see [Configuration](../configuration.md) for how files are found and merged.",
        "An unknown key, a wrong type or a value out of range is an error (exit 2)",
        "naming the key and the file.",
        "",
        "| key | type | allowed | default | meaning |",
        "| --- | --- | --- | --- | --- |",
        *rows,
    ]
    for table, subkeys in tables:
        out += ["", f"## `[tool.howto.{table}]`", "", f"{MEANING[table][0].upper()}"
                f"{MEANING[table][1:]}.", "",
                "| key | type | allowed | default | meaning |",
                "| --- | --- | --- | --- | --- |"]
        out += [_row([table, sub]) for sub in subkeys]
    return "\n".join(out) + "\n"


def _row(path: Sequence[str]) -> str:
    name = ".".join(path)
    if name not in MEANING:
        raise SystemExit(f"tools/gen_docs.py: no meaning written for the key {name!r}")
    kind, allowed = _describe(path)
    default = _default(path)
    if kind == "table" and default == "[]":
        default = "{}"  # an empty table, held as an empty tuple of pairs
    return (f"| `{path[-1]}` | {_cell(kind)} | {_cell(allowed)} | `{_cell(default)}` "
            f"| {_cell(MEANING[name])} |")


def cli_page() -> str:
    parser = cli.build_parser()
    out = [
        "# Command-line reference",
        "",
        "<!-- generated by tools/gen_docs.py from howto_hook/cli.py: do not edit -->",
        "",
        f"    {cli.PROG} [OPTIONS] [PATH ...]",
        "",
        "| option | value | default | what it does |",
        "| --- | --- | --- | --- |",
    ]
    for action in parser._actions:  # argparse keeps no public list of its actions
        if not action.option_strings:
            flags = action.metavar or action.dest
            value = ""
        else:
            flags = ", ".join(f"`{f}`" for f in action.option_strings)
            value = _value(action)
        default = ("" if action.default in (None, False, [], argparse.SUPPRESS)
                   or not action.option_strings else f"`{action.default}`")
        text = (action.help or "") % {"prog": cli.PROG, "default": action.default}
        out.append(f"| {flags if action.option_strings else f'`{flags}`'} | {value} "
                   f"| {default} | {_cell(text)} |")
    return "\n".join(out) + "\n"


def _value(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.choices:
        return " \\| ".join(f"`{c}`" for c in action.choices)
    return _cell(f"`{action.metavar or action.dest.upper()}`")


def rule_pages() -> Dict[str, str]:
    index = ["# Rules", "",
             "<!-- generated by tools/gen_docs.py from howto_hook/codes.py: do not edit -->",
             "", "`howto-check --explain CODE` prints a rule's page in the terminal.", "",
             "| code | name | what it reports |", "| --- | --- | --- |"]
    pages: Dict[str, str] = {}
    for code, rule in codes.CODES.items():
        index.append(f"| [{code}]({code}.md) | {rule.name} | {_cell(rule.summary)} |")
        pages[f"rules/{code}.md"] = rule_doc(code)
    pages["rules/index.md"] = "\n".join(index) + "\n"
    return pages


def pages() -> Dict[str, str]:
    """Every generated page: its path under docs/ and its text."""
    out = {"reference/cli.md": cli_page(),
           "reference/configuration.md": configuration_page()}
    out.update(rule_pages())
    return out


def main(argv: Sequence[str]) -> int:
    check = "--check" in argv
    stale = []
    for rel, text in pages().items():
        path = os.path.join(DOCS, rel)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current == text:
            continue
        stale.append(rel)
        if not check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
    if check and stale:
        print(f"stale generated pages: {', '.join(stale)}; run python tools/gen_docs.py")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
