"""Write docstrings into source with libcst, touching nothing else.

`make_literal` is pure string work: the text a docstring should hold, as a
string literal that evaluates to exactly that text, whatever the text holds
(quotes, backslashes, control characters, characters the file's encoding
cannot hold). `apply` puts literals in place: it replaces the old literal
node or inserts a new first statement, and libcst regenerates every other
byte of the file as it was.
"""
from __future__ import annotations

import re
from typing import Dict, List, Mapping, Optional, Tuple

import libcst as cst

from howto_hook import locate, walk
from howto_hook.config import Settings
from howto_hook.model import Target
from howto_hook.wrap import columns

_PREFIX = re.compile(r"^[rRuU]*")


def _indented(text: str, indent: str) -> str:
    """The docstring's value: first line after the quotes, the rest indented,
    closing quotes on their own line.

    Written as black and ruff format would leave it: no space after the
    opening quotes, no trailing whitespace, and (in a file indented with
    spaces) no tab in a line's indentation, since both formatters expand
    those to 8-column stops.
    """
    lines = [ln.rstrip() for ln in text.rstrip().split("\n")]
    spaces = "\t" not in indent
    rest = [("" if not ln else _expand_lead(indent + ln) if spaces else indent + ln)
            for ln in lines[1:]]
    return "\n".join([lines[0].lstrip(" \t")] + rest) + "\n" + indent


def _expand_lead(line: str) -> str:
    body = line.lstrip()
    return line[: len(line) - len(body)].expandtabs() + body


def _needs_escape(ch: str, encoding: str) -> bool:
    if ch in "\n\t":
        return False
    if ord(ch) < 32 or ch == "\x7f" or ch in "\u2028\u2029\ufeff":
        return True
    try:
        ch.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def _escape(ch: str) -> str:
    n = ord(ch)
    if n < 0x100:
        return f"\\x{n:02x}"
    if n < 0x10000:
        return f"\\u{n:04x}"
    return f"\\U{n:08x}"


def make_literal(text: str, *, indent: str, prefix: str = "", quote: str = '"""',
                 newline: str = "\n", encoding: str = "utf-8") -> Tuple[str, str]:
    """(literal source, the value it evaluates to) for a docstring `text`."""
    value = _indented(text, indent)
    prefix = _PREFIX.match(prefix).group(0) if prefix else ""  # type: ignore[union-attr]
    if quote not in ('"""', "'''"):
        quote = '"""'
    raw = "r" in prefix.lower()
    # each distinct character judged once, not each of the docstring's thousands
    escapes = {ord(ch): _escape(ch) for ch in set(value) if _needs_escape(ch, encoding)}
    awkward = (quote in value or value.endswith("\\") or quote[0] == value[-1:]
               or bool(escapes))
    if raw and not awkward:
        body = value
    else:
        prefix = prefix.replace("r", "").replace("R", "")
        body = value.translate({**escapes, ord("\\"): "\\\\"})
        # Only a run of the closing quote ends the literal: escape those runs.
        body = body.replace(quote, "\\" + "\\".join(quote))
        if body.endswith(quote[0]):
            body = body[:-1] + "\\" + quote[0]
    return prefix + quote + body.replace("\n", newline) + quote, value


class _Replace(cst.CSTTransformer):
    def __init__(self, literals: Mapping[int, str]) -> None:
        super().__init__()
        self.literals = literals

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef
                          ) -> cst.FunctionDef:
        return self._apply(original, updated)

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return self._apply(original, updated)

    def _apply(self, original, updated):  # type: ignore[no-untyped-def]
        literal = self.literals.get(id(original))
        if literal is None:
            return updated
        new = cst.SimpleString(literal)
        body = updated.body
        if isinstance(body, cst.IndentedBlock):
            stmts = list(body.body)
            if walk.docstring_node(original.body) is not None:
                first = stmts[0]
                small = list(first.body)
                small[0] = small[0].with_changes(value=new)
                stmts[0] = first.with_changes(body=small)
            else:
                stmts.insert(0, cst.SimpleStatementLine(body=[cst.Expr(new)]))
            if len(stmts) > 1 and _blank_required(original, stmts[1]):
                stmts[1] = _blank_line_before(stmts[1])
            return updated.with_changes(body=body.with_changes(body=stmts))
        # A one-line body (`def f(): return 1`) becomes a block; a comment
        # after it stays on the def line.
        small = list(body.body)
        if walk.docstring_node(original.body) is not None:
            small = small[1:]
        lines: List[cst.BaseStatement] = [cst.SimpleStatementLine(body=[cst.Expr(new)])]
        if small:
            rest = cst.SimpleStatementLine(body=small)
            lines.append(_blank_line_before(rest) if isinstance(original, cst.ClassDef) else rest)
        trailing = body.trailing_whitespace
        header = cst.TrailingWhitespace(whitespace=trailing.whitespace, comment=trailing.comment,
                                        newline=trailing.newline)
        return updated.with_changes(body=cst.IndentedBlock(body=lines, header=header))


def _blank_required(owner: cst.CSTNode, following: cst.BaseStatement) -> bool:
    """Whether black and ruff format want an empty line between the docstring
    and the next statement: always in a class; in a function, before a nested
    def or class (decorated or not, comments above it or not). Elsewhere both
    keep zero or one empty line as written."""
    return isinstance(owner, cst.ClassDef) or isinstance(following, (cst.FunctionDef,
                                                                     cst.ClassDef))


def _blank_line_before(stmt: cst.BaseStatement) -> cst.BaseStatement:
    """One empty line before `stmt` (above its comments) unless it has one;
    writing it ourselves means the formatter has nothing to change."""
    leading = list(getattr(stmt, "leading_lines", ()))
    if leading and not leading[0].comment:
        return stmt
    return stmt.with_changes(leading_lines=[cst.EmptyLine(indent=False)] + leading)  # type: ignore[attr-defined]


def _lead(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def body_indent(target: Target, node: walk.Def, lines: List[str], module: cst.Module) -> str:
    """Absolute indentation of the definition's body."""
    doc = target.docstring
    if doc is not None and isinstance(node.body, cst.IndentedBlock):
        before = lines[doc.line - 1][:doc.col]
        if not before.strip():
            return before
    own = _lead(lines[target.line - 1])
    step = module.default_indent
    if isinstance(node.body, cst.IndentedBlock) and node.body.indent is not None:
        step = node.body.indent
    return own + step


def _starts_below(old: Optional[cst.BaseExpression]) -> bool:
    """Whether a docstring's text begins on the line after its opening quotes."""
    if not isinstance(old, cst.SimpleString):
        return False
    body = old.value[len(old.prefix) + len(old.quote):]
    return body.lstrip(" \t").startswith(("\n", "\r"))


def _placed(doc: str, opening: str, old: Optional[cst.BaseExpression],
            line_length: Optional[int]) -> str:
    """The docstring text with its first line where it belongs: after the
    opening quotes, unless the person kept it on the next line or it does not
    fit there (`opening` is the indentation, prefix and quotes before it)."""
    doc = doc.lstrip("\n")
    first = doc.split("\n", 1)[0].strip()
    too_long = line_length is not None and columns(opening + first) > line_length
    return "\n" + doc if _starts_below(old) or too_long else doc


Located = Tuple[cst.Module, List[Tuple[Target, walk.Def]]]


def locate_definitions(text: str, settings: Settings) -> Located:
    """`text` parsed and its definitions found: what `apply` reads, made once
    for any number of rewrites of the same text."""
    module = locate.parse_module(text)
    return module, locate.find_definitions(module, path="", settings=settings, source=text)


def apply(text: str, docs: Mapping[Tuple[str, int], str], *, settings: Settings,
          encoding: str = "utf-8", line_length: Optional[int] = None,
          located: Optional[Located] = None
          ) -> Tuple[str, Dict[Tuple[str, int], Tuple[str, str]]]:
    """Put new docstrings into `text`, keyed by (qualname, def line).

    Returns the new source and, per key, (literal, expected value), so that
    the caller can prove each literal evaluates to what was meant.
    `located`: `locate_definitions(text, settings)`, when already made.
    """
    module, definitions = located if located is not None else locate_definitions(text, settings)
    lines = text.split("\n")
    literals: Dict[int, str] = {}
    made: Dict[Tuple[str, int], Tuple[str, str]] = {}
    for target, node in definitions:
        key = (target.qualname, target.line)
        if key not in docs:
            continue
        old: Optional[cst.BaseExpression] = walk.docstring_node(node.body)
        prefix, quote = "", '"""'
        if isinstance(old, cst.SimpleString):
            prefix, quote = old.prefix, old.quote
        indent = body_indent(target, node, lines, module)
        doc = _placed(docs[key], indent + prefix + quote, old, line_length)
        literal, value = make_literal(doc, indent=indent, prefix=prefix, quote=quote,
                                      newline=module.default_newline, encoding=encoding)
        literals[id(node)] = literal
        made[key] = (literal, value)
    if not literals:
        return text, made
    return module.visit(_Replace(literals)).code, made
