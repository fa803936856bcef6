"""One frozen Settings object: the defaults, and `[tool.howto]` loaded strictly.

Every key is validated here, once, so that the rest of the program can trust
the settings it is handed. A user mistake raises ConfigError with one line
that names the key and the file.
"""
from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, Sequence, Tuple

from howto_hook import trust

DEFAULT_TITLE = "How to Use This Code Block"
DEFAULT_BANNED: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("getting", ("retrieves", "reads", "fetches", "computes")),
    ("doing", ("performs", "executes", "applies", "runs")),
)
# Directories no user wants linted; `exclude` replaces this list and
# `extend-exclude` adds to it, as in ruff.
DEFAULT_EXCLUDE: Tuple[str, ...] = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".howto_cache", ".mypy_cache",
    ".nox", ".pants.d", ".pytype", ".ruff_cache", ".svn", ".tox", ".venv",
    "__pypackages__", "__pycache__", "_build", "buck-out", "build", "dist",
    "node_modules", "site-packages", "venv",
)
# Definitions whose docstring is command-line help (click's and typer's
# command and group decorators, matched on the dotted decorator name):
# rewriting them would change what `--help` prints.
DEFAULT_SKIP_DECORATORS: Tuple[str, ...] = ("command", "group", "*.command", "*.group")


# The largest time setting accepted: anything longer is a typo.
DAY = 86400.0


class ConfigError(Exception):
    """A configuration mistake; the message is one line meant for the user."""


# NamedTuples: immutable, hashable and picklable by name, which is what a
# worker process needs of the settings it is handed.
class SectionNames(NamedTuple):
    description: str = "Description"
    steps: str = "Execution Steps"
    example: str = "Usage Example"

    def ordered(self) -> Tuple[str, str, str]:
        return (self.description, self.steps, self.example)


class LLMSettings(NamedTuple):
    model: str = "gpt-4o-mini"
    base_url: Optional[str] = None
    api_key_env: str = "OPENAI_API_KEY"
    # A commit hook should fail fast; the SDK's own default is 600 s.
    timeout: float = 60.0
    max_retries: int = 2
    max_concurrency: int = 4
    temperature: float = 0.2
    # How many times a rejected answer is sent back with its violations.
    repair_attempts: int = 1
    # "template" to fall back to the offline generator, or None to leave the
    # docstring untouched and report it.
    fallback: Optional[str] = None
    # Total wall-clock budget of one run, in seconds.
    budget: float = 600.0


class Settings(NamedTuple):
    select: Tuple[str, ...] = ("HOW",)
    ignore: Tuple[str, ...] = ()
    per_file_ignores: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    include: Tuple[str, ...] = ("*.py",)
    exclude: Tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: Tuple[str, ...] = ()
    scope: str = "public"
    title: str = DEFAULT_TITLE
    sections: SectionNames = SectionNames()
    banned_words: Tuple[Tuple[str, Tuple[str, ...]], ...] = DEFAULT_BANNED
    require_step_labels: bool = True
    generator: str = "template"
    llm: LLMSettings = LLMSettings()
    diff_base: Optional[str] = None
    baseline: Optional[str] = None
    # HOW403: run each Usage Example (never unless asked), on which interpreter
    # None: not said; a fix then runs its candidates where it can (examples/stage.py)
    run_examples: Optional[bool] = None
    example_timeout: float = 10.0
    example_python: Optional[str] = None  # absolute once loaded
    # Width of the lines --fix writes; None: the project's ruff or black
    # line-length, else 88 (howto_hook.linelength looks per file).
    line_length: Optional[int] = None
    include_tests: bool = False  # test code is out of scope unless this is set
    skip_decorators: Tuple[str, ...] = DEFAULT_SKIP_DECORATORS
    extend_skip_decorators: Tuple[str, ...] = ()
    # Bounds on one file's work: bytes read (larger files are reported, not
    # parsed) and seconds to check or fix it.
    max_file_size: int = 4_000_000
    # Generous: it bounds pathological inputs (an 8,000-term expression, a 1 MB
    # line), and a busy CI runner must not turn a large ordinary file into a miss.
    file_timeout: float = 120.0
    # Where relative patterns are anchored: the directory of the config file,
    # else the current directory.
    root: str = "."
    config_path: Optional[str] = None

    def with_changes(self, **changes: Any) -> "Settings":
        return self._replace(**changes)


# --- validation helpers: each returns the converted value or raises -------


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string, got {_type(value)}")
    return value


def _nonempty(value: str, where: str) -> str:
    if not value.strip():
        raise ConfigError(f"{where} must not be empty")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false, got {_type(value)}")
    return value


def _str_list(value: Any, where: str) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings, got {_type(value)}")
    return tuple(value)


def _number(value: Any, where: str, *, minimum: float = 0.0,
            maximum: Optional[float] = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{where} must be a number, got {_type(value)}")
    # TOML reads nan and inf as floats; neither is a usable time or temperature,
    # and nan passes every comparison below
    if value != value or value in (float("inf"), float("-inf")):
        raise ConfigError(f"{where} must be a finite number, got {value}")
    if value < minimum:
        raise ConfigError(f"{where} must be at least {minimum:g}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{where} must be at most {maximum:g}, got {value}")
    return float(value)


def _int(value: Any, where: str, *, minimum: int = 0, maximum: Optional[int] = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{where} must be a whole number, got {_type(value)}")
    if value < minimum:
        raise ConfigError(f"{where} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{where} must be at most {maximum}, got {value}")
    return value


def _choice(*choices: str) -> Callable[[Any, str], str]:
    def check(value: Any, where: str) -> str:
        if value not in choices:
            allowed = ", ".join(repr(c) for c in choices)
            raise ConfigError(f"{where} must be one of {allowed}, got {value!r}")
        return value

    return check


def _type(value: Any) -> str:
    return {
        bool: "a boolean", int: "a number", float: "a number", str: "a string",
        list: "a list", dict: "a table",
    }.get(type(value), type(value).__name__)


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table, got {_type(value)}")
    return value


def _per_file_ignores(value: Any, where: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    table = _table(value, where)
    return tuple(
        (pattern, _str_list(codes, f"{where}.{pattern!r}"))
        for pattern, codes in table.items()
    )


def _banned(value: Any, where: str) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
    """A list of words, or a table of word -> suggested replacements."""
    if isinstance(value, list):
        words = _str_list(value, where)
        known = dict(DEFAULT_BANNED)
        pairs = tuple((w.lower(), known.get(w.lower(), ())) for w in words)
    else:
        table = _table(value, where)
        pairs = tuple((word.lower(), _str_list(s, f"{where}.{word}"))
                      for word, s in table.items())
    for word, _ in pairs:
        if not word.strip():  # it would match between any two words
            raise ConfigError(f"{where} holds an empty word ({word!r})")
    return pairs


def _sections(value: Any, where: str) -> SectionNames:
    table = _table(value, where)
    names: Dict[str, str] = {}
    for key, name in table.items():
        if key not in ("description", "steps", "example"):
            raise ConfigError(
                f"unknown key {where}.{key} (expected description, steps, example)"
            )
        names[key] = _str(name, f"{where}.{key}").strip()
        if not names[key]:
            raise ConfigError(f"{where}.{key} must not be empty")
    return SectionNames(**names)


_TOP: Dict[str, Tuple[str, Callable[[Any, str], Any]]] = {
    "select": ("select", _str_list),
    "ignore": ("ignore", _str_list),
    "per-file-ignores": ("per_file_ignores", _per_file_ignores),
    "include": ("include", _str_list),
    "exclude": ("exclude", _str_list),
    "extend-exclude": ("extend_exclude", _str_list),
    "scope": ("scope", _choice("public", "all")),
    "title": ("title", _str),
    "sections": ("sections", _sections),
    "banned-words": ("banned_words", _banned),
    "require-step-labels": ("require_step_labels", _bool),
    "diff-base": ("diff_base", lambda v, w: _nonempty(_str(v, w), w)),
    "baseline": ("baseline", lambda v, w: _nonempty(_str(v, w), w)),
    "run-examples": ("run_examples", _bool),
    "example-timeout": ("example_timeout", lambda v, w: _number(v, w, minimum=0.1, maximum=DAY)),
    "example-python": ("example_python", _str),
    "line-length": ("line_length", lambda v, w: _int(v, w, minimum=20)),
    "include-tests": ("include_tests", _bool),
    "skip-decorators": ("skip_decorators", _str_list),
    "extend-skip-decorators": ("extend_skip_decorators", _str_list),
    "max-file-size": ("max_file_size", lambda v, w: _int(v, w, minimum=1)),
    "file-timeout": ("file_timeout", lambda v, w: _number(v, w, minimum=0.1, maximum=DAY)),
}

_LLM: Dict[str, Tuple[str, Callable[[Any, str], Any]]] = {
    "model": ("model", _str),
    "base-url": ("base_url", _str),
    "api-key-env": ("api_key_env", _str),
    "timeout": ("timeout", lambda v, w: _number(v, w, minimum=0.1, maximum=DAY)),
    "max-retries": ("max_retries", lambda v, w: _int(v, w, maximum=100)),
    "max-concurrency": ("max_concurrency", lambda v, w: _int(v, w, minimum=1, maximum=1024)),
    # the range every Chat Completions server accepts
    "temperature": ("temperature", lambda v, w: _number(v, w, maximum=2.0)),
    "repair-attempts": ("repair_attempts", lambda v, w: _int(v, w, maximum=100)),
    "fallback": ("fallback", _choice("template", "none")),
    "budget": ("budget", lambda v, w: _number(v, w, minimum=1.0, maximum=DAY)),
}


def _unknown(key: str, where: str, known: Any) -> ConfigError:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    hint = f"did you mean {where}{close[0]}? " if close else ""
    return ConfigError(
        f"unknown key {where}{key} ({hint}known keys: {', '.join(sorted(known))})"
    )


def settings_from_table(table: Mapping[str, Any], *, root: str = ".",
                        config_path: Optional[str] = None) -> Settings:
    """Validate a `[tool.howto]` table into Settings. Pure; raises ConfigError."""
    values: Dict[str, Any] = {"root": root, "config_path": config_path}
    extend_banned: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    for key, value in table.items():
        where = f"tool.howto.{key}"
        if key == "fix":
            for sub, sval in _table(value, where).items():
                if sub != "generator":
                    raise _unknown(sub, "tool.howto.fix.", ["generator"])
                values["generator"] = _choice("template", "llm")(sval, f"{where}.{sub}")
        elif key == "llm":
            llm: Dict[str, Any] = {}
            for sub, sval in _table(value, where).items():
                if sub not in _LLM:
                    raise _unknown(sub, "tool.howto.llm.", _LLM)
                attr, check = _LLM[sub]
                llm[attr] = check(sval, f"{where}.{sub}")
            if llm.get("fallback") == "none":
                llm["fallback"] = None
            values["llm"] = LLMSettings(**llm)
        elif key == "extend-banned-words":
            extend_banned = _banned(value, where)
        elif key in _TOP:
            attr, check = _TOP[key]
            values[attr] = check(value, where)
        else:
            raise _unknown(key, "tool.howto.", [*_TOP, "fix", "llm", "extend-banned-words"])
    if extend_banned:
        base = dict(values.get("banned_words", DEFAULT_BANNED))
        base.update(extend_banned)
        values["banned_words"] = tuple(base.items())
    if values.get("example_python"):  # relative to the config file, like every path in it
        values["example_python"] = os.path.abspath(
            os.path.join(root, os.path.expanduser(values["example_python"])))
    if "title" in values and not values["title"].strip():
        raise ConfigError("tool.howto.title must not be empty")
    return Settings(**values)


# Files that hold nothing but howto-check's settings, as top-level keys; in a
# directory they win over pyproject.toml, as ruff.toml does over it.
OWN_FILES = ("howto.toml", ".howto.toml")


def find_config(start: str) -> Optional[str]:
    """The nearest configuration at or above `start`, or None: a howto.toml or
    .howto.toml, else a pyproject.toml holding [tool.howto]. A pyproject.toml
    without that table is passed over, so that a package's packaging file
    does not hide the settings of the repository around it."""
    here = os.path.abspath(start)
    while True:
        found = config_in(here)
        if found is not None:
            return found
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def config_in(directory: str) -> Optional[str]:
    """The configuration file of this one directory, if it has one."""
    for name in OWN_FILES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    candidate = os.path.join(directory, "pyproject.toml")
    if os.path.isfile(candidate) and _tool_table(candidate) is not None:
        return candidate
    return None


def _tomllib() -> Any:
    """The TOML parser, imported when a text is parsed: most commits meet no
    file with a howto table, and the import costs them a third of a start."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on older interpreters only
        import tomli as tomllib
    return tomllib


def _load_toml(path: str, *, ours: bool = False) -> Mapping[str, Any]:
    from howto_hook.safeio import Refused, read_regular

    try:
        data = read_regular(path)  # never a FIFO or a device, never gigabytes
    except Refused as e:
        raise ConfigError(f"{path}: {e}") from None
    if not ours and b"howto" not in data:
        return {}  # no table of ours: another tool's file is not ours to judge
    tomllib = _tomllib()
    try:
        text = data.decode("utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path} is not valid TOML: {e}") from None
    except RecursionError:
        if ours:
            raise _too_deep(path) from None
    # Another tool's table may nest deeper than the parser's stack: read
    # [tool.howto] alone, and say the rest was passed over.
    try:
        table = tomllib.loads(_howto_part(text))
    except (tomllib.TOMLDecodeError, RecursionError):
        raise _too_deep(path) from None
    _note(f"{path}: a table nested too deep for the TOML parser (not howto's) was "
          "passed over; only [tool.howto] was read", once=True)
    return table


def _too_deep(path: str) -> ConfigError:
    return ConfigError(f"{path}: nested too deep for the TOML parser (thousands of levels "
                       "of arrays or tables); not read")


_HEADER = re.compile(r"\s*\[\[?([^\]\n]*)\]")


def _howto_part(text: str) -> str:
    """The lines of `[tool.howto]` and its sub-tables, from a pyproject.toml
    that cannot be parsed whole (only used after the whole parse failed)."""
    keep = False
    out = []
    for line in text.splitlines(keepends=True):
        header = _HEADER.match(line)
        if header:
            name = re.sub(r"[\s\"']", "", header.group(1))
            keep = name == "tool.howto" or name.startswith("tool.howto.")
        if keep:
            out.append(line)
    return "".join(out)


_NOTED: set = set()


def _note(line: str, *, once: bool = False) -> None:
    """A line on stderr about how a config was read (the run goes on). `once`:
    once per process, for what finding a config and loading it both meet."""
    if once and line in _NOTED:
        return
    _NOTED.add(line)
    sys.stderr.write(f"howto-check: {line}\n")


def _tool_table(path: str) -> Optional[Mapping[str, Any]]:
    """pyproject.toml's [tool.howto], None when it has none."""
    tool = _load_toml(path).get("tool", {})
    table = tool.get("howto") if isinstance(tool, dict) else None
    if table is not None and not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.howto must be a table")
    return table


def config_table(path: str) -> Mapping[str, Any]:
    """The settings a file holds: [tool.howto] of a pyproject.toml, the
    top-level keys of any other file (howto.toml, or one --config names)."""
    if os.path.basename(path) == "pyproject.toml":
        return _tool_table(path) or {}
    return _load_toml(path, ours=True)


def parse_override(text: str) -> Mapping[str, Any]:
    """`--config KEY=VALUE`, VALUE in TOML: `scope="all"`, `fix.generator="llm"`."""
    tomllib = _tomllib()
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"--config {text!r} is neither a file nor KEY=VALUE in TOML "
                          f"({e})") from None
    if len(table) != 1:
        raise ConfigError(f"--config {text!r} must set exactly one key")
    return table


def _shown(override: Mapping[str, Any]) -> str:
    """An override as the user wrote it: KEY=VALUE, dotted into tables."""
    import json

    key, value = next(iter(override.items()))
    while isinstance(value, dict) and len(value) == 1:
        sub, value = next(iter(value.items()))
        key = f"{key}.{sub}"
    return f"{key}={json.dumps(value)}"


def merged(table: Mapping[str, Any], overrides: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """`table` with each override laid over it; tables (llm, fix) merge key by key."""
    out: Dict[str, Any] = dict(table)
    for override in overrides:
        for key, value in override.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merged(out[key], [value])
            else:
                out[key] = value
    return out


def load_settings(config: Optional[str] = None, *, cwd: str = ".",
                  overrides: Sequence[Mapping[str, Any]] = (),
                  trust_flag: bool = False) -> Settings:
    """Settings from `config` (an explicit file) or the nearest configuration
    at or above `cwd`, laid over the user's own config, with `overrides`
    (--config KEY=VALUE) on top.

    A config's directory anchors its relative paths; with no config at all,
    `cwd` does. The keys that run code or send data count from the file only
    when the user trusted it (`trust_flag`: --trust; see trust.py).
    """
    path = config if config is not None else find_config(cwd)
    if config is not None and not os.path.isfile(config):
        raise ConfigError(f"config file {config} does not exist")
    table = config_table(path) if path is not None else {}
    user = user_table(trust.user_config(os.environ))
    root = os.path.dirname(os.path.abspath(path)) if path is not None else os.path.abspath(cwd)
    for override in overrides:
        # a bad --config KEY=VALUE is blamed on itself, not on the file below it
        try:
            settings_from_table(override, root=root)
        except ConfigError as e:
            raise ConfigError(f"--config {_shown(override)}: "
                              f"{str(e).replace('tool.howto.', '')}") from None
    try:
        # every key is validated, trusted or not: a mistake is named either way
        settings = settings_from_table(merged(merged(user, [table]), overrides), root=root,
                                       config_path=path)
        if path is None:
            return settings
        kept = _trusted_part(path, table, trust.wanted(trust_flag, os.environ))
        if kept is table:
            return settings
        return settings_from_table(merged(merged(user, [kept]), overrides), root=root,
                                   config_path=path)
    except ConfigError as e:
        message = str(e)
        if path is None or os.path.basename(path) != "pyproject.toml":
            # howto.toml, or a --config file, holds the keys at its top level
            message = message.replace("tool.howto.", "")
        raise ConfigError(f"{path}: {message}" if path is not None else message) from None


def _trusted_part(path: str, table: Mapping[str, Any], grant: bool) -> Mapping[str, Any]:
    """`table` whole when the user trusts `path` (or trusts it now, `grant`),
    else without the keys that run code or send data, each named on stderr."""
    keys = trust.sensitive_keys(table)
    if not keys:
        return table
    import json

    store = trust.Store.from_environ(os.environ)
    # what is trusted is the settings the file holds, so an edit elsewhere in
    # a pyproject.toml (a dependency's version) does not revoke it
    canonical = json.dumps(table, sort_keys=True, default=str).encode()
    status = store.status(path, canonical)
    if grant:
        if status != "trusted":
            problem = store.record(path, canonical)
            if problem:
                _note(f"{problem}; {path} is trusted for this run only")
        return table
    if status == "trusted":
        return table
    prefix = "tool.howto." if os.path.basename(path) == "pyproject.toml" else ""
    why = ("has changed since it was trusted" if status == "changed"
           else "is not trusted")
    _note(f"ignoring {', '.join(prefix + k for k in keys)} in {path}: the file {why} "
          f"({trust.HOW_TO_TRUST})")
    return trust.without_sensitive(table)


def user_table(path: str) -> Mapping[str, Any]:
    """The user's own config (howto.toml keys), validated; {} when there is none.

    Its keys are the user's word, sensitive ones included; a repository's
    trusted config and the command line are laid over it.
    """
    if not os.path.isfile(path):
        return {}
    table = dict(_load_toml(path, ours=True))
    python = table.get("example-python")
    if isinstance(python, str) and python:  # relative to the user's config directory
        table["example-python"] = os.path.join(os.path.dirname(path),
                                               os.path.expanduser(python))
    try:
        settings_from_table(table, root=os.path.dirname(path), config_path=path)
    except ConfigError as e:
        raise ConfigError(f"{path}: {str(e).replace('tool.howto.', '')}") from None
    return table
