"""Values for a call's arguments when the project shows no call: only grounded ones.

A required parameter gets a literal only when something fixes its type:

- its annotation names a type a literal has (`str`, `int`, `float`, `bool`,
  `bytes`, `None`, their containers, `Literal[...]`, a member of an `Enum`
  of the module);
- unannotated, the body's use of it (`x + 1`: a number; `text.strip()`:
  text; `for v in values`: a list), or its name when that is plain (`url`,
  `path`, `name` are text; `count`, `timeout`, `port` are numbers), or the
  body leaves it open (it only stores, returns or shows it).

Never an integer, a list or a `nullcontext` standing in for an object: a
parameter whose attributes the body reads, that it calls, or that is
annotated with a class no literal is gets no value, and the call no example.
"""
from __future__ import annotations

import ast
import re
from typing import Callable, List, NamedTuple, Optional, Sequence, Tuple

from howto_hook.generate import anatomy
from howto_hook.model import Param

# Names whose meaning is plain whatever the body does with them.
_TEXT_NAMES = frozenset({"name", "text", "string", "word", "title", "label", "message", "msg",
                         "prefix", "suffix", "sep", "separator", "delimiter", "encoding",
                         "url", "uri", "path", "filename", "file_name", "filepath", "dirname",
                         "directory", "pattern", "phrase", "sentence", "value_str", "locale",
                         "language", "lang", "tag", "word", "slug", "key_name", "s"})
_NUMBER_NAMES = frozenset({"count", "timeout", "port", "size", "maxsize", "max_size", "limit",
                           "width", "height", "length", "n", "num", "number", "index", "idx",
                           "seconds", "minutes", "hours", "days", "retries", "precision",
                           "digits", "ndigits", "depth", "level", "offset", "ttl", "step",
                           "pos", "endpos", "position"})
_LIST_NAMES = frozenset({"iterable", "items", "values", "seq", "sequence", "elements", "lines",
                         "rows", "words", "numbers", "nums", "xs", "ys"})
# Names of callables and objects: no literal stands for them, whatever the body does.
_OBJECT_NAMES = frozenset({"func", "function", "fn", "f", "callback", "cb", "pred", "predicate",
                           "key", "binop", "op", "handler", "factory", "cls", "obj", "self",
                           "context_manager", "cm", "ctx", "context", "stream", "fp", "fh",
                           "fileobj", "file_obj", "request", "response", "session", "client",
                           "exc", "exception", "error", "err", "exc_info", "node", "parent",
                           "instance", "target", "widget", "event", "frame", "dt", "date",
                           "datetime", "tz", "tzinfo", "parser", "match", "loop", "logger",
                           "lock", "sock", "socket", "conn", "connection", "cursor", "app",
                           "schema", "validator", "converter", "visitor", "plugin", "data"})
_WIDE_NAMES = frozenset({"width", "max_len", "maxlen", "max_length", "max_width", "columns"})
_FLOAT_NAMES = frozenset({"timeout", "seconds", "ttl", "ratio", "fraction", "factor"})


class Value(NamedTuple):
    code: str  # the literal or expression as written in the example
    imports: Tuple[str, ...] = ()  # import lines it needs (an Enum's class)


# An Enum member for an annotation that names an Enum of the module, else None.
EnumLookup = Callable[[str], Optional[Value]]


def _no_enum(name: str) -> Optional[Value]:
    return None


def split_union(ann: str) -> List[str]:
    ann = ann.replace(" ", "")
    m = re.match(r"^(?:typing\.)?(Optional|Union)\[(.*)\]$", ann)
    if m:
        parts = split_top(m.group(2), ",")
        return parts + (["None"] if m.group(1) == "Optional" else [])
    return split_top(ann, "|")


def split_top(text: str, sep: str) -> List[str]:
    """`text` split at `sep` outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += 1 if ch in "[(" else 0
        depth -= 1 if ch in "])" else 0
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p for p in parts if p]


def _text_for(name: str) -> str:
    if "url" in name or "uri" in name:
        return '"https://example.com"'
    if "path" in name or "file" in name or name in ("dirname", "directory"):
        return '"example.txt"'
    return '"example"'


def _number_for(name: str) -> str:
    if name in _WIDE_NAMES:
        return "40"
    return "1.5" if name in _FLOAT_NAMES else "2"


def for_annotation(ann: str, name: str, enum: EnumLookup = _no_enum) -> Optional[Value]:
    """A literal that fits one annotation (no unions), or None when no literal has its
    type."""
    bare = re.sub(r"^(typing|t|collections\.abc|typing_extensions|builtins)\.", "",
                  ann.strip("'\""))
    head = bare.split("[", 1)[0]
    inner = bare[len(head) + 1:-1] if "[" in bare else ""
    simple = {"int": _number_for(name) if name not in _FLOAT_NAMES else "2",
              "float": "1.5", "bool": "True", "str": _text_for(name), "bytes": 'b"data"',
              "None": "None"}
    if head in simple:
        return Value(simple[head])
    if head == "Literal" and inner:
        return Value(split_top(inner, ",")[0])
    if head in ("list", "List", "Sequence", "Iterable", "Collection", "MutableSequence"):
        if not inner:
            return Value("[1, 2, 3]")
        item = _item(inner)
        if item is None:
            return None
        return Value(f"[{item.code}, {item.code}]", item.imports)
    if head in ("set", "Set", "frozenset", "FrozenSet", "AbstractSet"):
        item = _item(inner)
        if item is None or item.code in ("True", "None"):
            return None
        return Value("{" + item.code + "}", item.imports)
    if head in ("tuple", "Tuple"):
        args = split_top(inner, ",") if inner else []
        if not args or args[-1] == "...":
            item = _item(args[0] if args else "")
            return None if item is None else Value(f"({item.code},)", item.imports)
        values = [for_annotation(a, "") for a in args]
        if any(v is None for v in values):
            return None
        codes = [v.code for v in values if v is not None]
        return Value("(" + ", ".join(codes) + ("," if len(codes) == 1 else "") + ")")
    if head in ("dict", "Dict", "Mapping", "MutableMapping"):
        args = split_top(inner, ",") if inner else ["str", "int"]
        key = for_annotation(args[0], "") if args else None
        val = for_annotation(args[1], "") if len(args) > 1 else None
        if key is None or val is None:
            return None
        return Value("{" + f"{key.code}: {val.code}" + "}")
    return enum(bare)


def _item(inner: str) -> Optional[Value]:
    """A container's element: from its annotation, a number when it names none."""
    if not inner:
        return Value("1")
    options = [o for o in split_union(inner) if o != "None"]
    for option in options:
        value = for_annotation(option, "")
        if value is not None:
            return value
    return None


def by_name(name: str) -> Optional[str]:
    low = name.lower()
    if low in _LIST_NAMES or low.endswith(("_list", "_items", "_values")):
        return "[1, 2, 3]"
    if low in _TEXT_NAMES or low.endswith(("_name", "_path", "_url", "_text", "_file")):
        return _text_for(low)
    if low in _NUMBER_NAMES or low.endswith(("_count", "_size", "_timeout", "_port")):
        return _number_for(low)
    if low in ("flag", "strict", "verbose", "force", "reverse", "recursive", "enabled") \
            or low.startswith(("is_", "has_", "use_", "allow_", "should_", "enable_")):
        return "True"
    return None


def for_use(kind: str, name: str) -> Optional[str]:
    """A literal of the type the body's use of the parameter fixes."""
    low = name.lower()
    if kind == "number":
        return _number_for(low)
    if kind == "text":
        return _text_for(low)
    if kind == "list":
        return "[1, 2, 3]"
    if kind == "dict":
        return '{"a": 1, "b": 2}'
    if low in _OBJECT_NAMES or low.endswith(("_func", "_fn", "_callback", "_factory")):
        return None  # a callable or an object whatever the body shows of it
    if kind in ("open", "unused"):
        return by_name(low) or '"example"'
    if kind == "handed":
        return by_name(low)
    return None


def value_for(p: Param, body: Optional[ast.AST], enum: EnumLookup = _no_enum,
              owner: Optional[ast.AST] = None) -> Optional[Value]:
    """A grounded value for a required parameter, or None when nothing fixes one.
    `owner` is the class whose `__init__` `body` is: a value it stores is open only
    when no method treats the stored attribute as an object."""
    ann = (p.annotation or "").strip()
    if ann and ann not in ("Any", "typing.Any", "object"):
        options = split_union(ann)
        for option in options:
            if option == "None":
                continue
            value = for_annotation(option, p.name.lower(), enum)
            if value is not None:
                return value
        return Value("None") if "None" in options else None
    kind = anatomy.param_use(body, p.name).kind
    if kind == "open" and owner is not None:
        stored = anatomy.stored_use(owner, body, p.name)
        if stored == "object":
            return None  # `self.parser = parser`, then `self.parser.search(...)`
        kind = stored or kind
    code = for_use(kind, p.name)
    return Value(code) if code is not None else None


class Args(NamedTuple):
    text: str
    imports: Tuple[str, ...]


def call_args(params: Sequence[Param], body: Optional[ast.AST],
              enum: EnumLookup = _no_enum, owner: Optional[ast.AST] = None) -> Optional[Args]:
    """Arguments for the required parameters, each grounded; None when one has none.

    Positional-only parameters are passed by position, every other one by
    keyword, so the example reads as what each value is for.
    """
    out: List[str] = []
    imports: List[str] = []
    for p in params:
        if p.has_default or p.kind in ("var_positional", "var_keyword"):
            continue
        value = value_for(p, body, enum, owner)
        if value is None:
            return None
        imports.extend(value.imports)
        out.append(value.code if p.kind == "positional_only" else f"{p.name}={value.code}")
    return Args(", ".join(out), tuple(dict.fromkeys(imports)))


def ungrounded(params: Sequence[Param], body: Optional[ast.AST],
               enum: EnumLookup = _no_enum, owner: Optional[ast.AST] = None) -> List[str]:
    """The required parameters no value is grounded for (why there is no example)."""
    return [p.name for p in params
            if not p.has_default and p.kind not in ("var_positional", "var_keyword")
            and value_for(p, body, enum, owner) is None]
