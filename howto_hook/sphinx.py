"""A Sphinx extension that renders usage guides in autodoc pages.

Add it to `extensions` in conf.py, as napoleon or numpydoc are added:

    extensions = ["sphinx.ext.autodoc", "howto_hook.sphinx"]

A guide's source stays the Markdown-friendly format (mkdocs and GitHub show
it as it is); on `autodoc-process-docstring` this turns, in a docstring that
holds a guide and in no other, the title and section headings into rubrics
(a section title is not allowed inside an autodoc directive, and rubrics
stay out of the page's table of contents), each fenced block into a
`code-block` of its language, and single-backtick code into inline literals
(under `default_role` they would be cross-references), in the summary above
the title too, which the template writes in the guide's own markup. Sections
after the guide (a `Parameters` section, say) keep their own markup.

The title and section names come from the howto configuration found from
the Sphinx configuration directory up (`howto_config` in conf.py names one).
`to_rst` is the pure part: docstring lines in, lines out.
"""
from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Optional, Sequence

from howto_hook import __version__
from howto_hook import guide as g
from howto_hook.config import Settings
from howto_hook.model import Docstring

# Single-backtick code: not a double-backtick literal, not a role's target
# (:func:`x`), not a link (`text <url>`_) or a reference (`x`_).
_SPAN = re.compile(r"(?<![`:\\])`(?!`)([^`\n]+?)`(?![`_])")
# What may stand right before and after inline markup for docutils to see it.
_BEFORE_OK = set("-:/'\"<([{") | {"\u2018", "\u201c", "\u00ab"}
_AFTER_OK = set("-.,:;!?\\/'\")]}>") | {"\u2019", "\u201d", "\u00bb"}
_LANGUAGES = {"py": "python", "python3": "python", "": "text"}


def _literal(match: "re.Match[str]") -> str:
    code = match.group(1)
    if code != code.strip():
        return match.group(0)  # a literal cannot start or end with a space
    text = match.string
    before = text[match.start() - 1] if match.start() > 0 else " "
    after = text[match.end()] if match.end() < len(text) else " "
    # an escaped space (which docutils drops) where the neighbour would hide it
    lead = "" if before.isspace() or before in _BEFORE_OK else "\\ "
    tail = "" if after.isspace() or after in _AFTER_OK else "\\ "
    return f"{lead}``{code}``{tail}"


def _code_spans(line: str) -> str:
    return _SPAN.sub(_literal, line)


def _parse(lines: Sequence[str], settings: Settings) -> g.Guide:
    text = "\n".join(lines)
    doc = Docstring(value=text, raw='"""' + text + '"""', line=1, col=0,
                    end_line=text.count("\n") + 1, lines_map=True)
    return g.parse(doc, settings)


def _blank(out: List[str]) -> None:
    if out and out[-1].strip():
        out.append("")


def to_rst(lines: Sequence[str], settings: Settings = Settings()) -> Optional[List[str]]:
    """The docstring's lines with its guide in reStructuredText that is valid
    inside a directive; None when the docstring holds no guide."""
    guide = _parse(lines, settings)
    title = guide.title
    if title is None or title.underline is None:
        return None
    # autodoc's lines are already cleaned, so the guide's indices are theirs
    if any(guide.lines[i].text != lines[i].rstrip() for i in range(len(guide.lines))):
        return None
    required = [s for s in guide.sections if s.heading.key is not None]
    end = max([s.end for s in required] + [title.content_start])
    headings = {title.index: title}
    headings.update({s.heading.index: s.heading for s in guide.sections})
    fences = {f.open: f for f in guide.fences if title.index < f.open < end}
    out: List[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = headings.get(i)
        fence = fences.get(i)
        if heading is not None:
            _blank(out)
            out += [f".. rubric:: {heading.text}", ""]
            i = heading.content_start
            while i < len(lines) and not lines[i].strip() and i not in fences:
                i += 1  # one empty line after the rubric is enough
            continue
        if fence is not None:
            indent = line[: len(line) - len(line.lstrip())]
            info = fence.info.split()[0].lower() if fence.info.split() else ""
            _blank(out)
            out += [f"{indent}.. code-block:: {_LANGUAGES.get(info, info)}", ""]
            close = fence.close if fence.close is not None else len(lines)
            for body in lines[i + 1:close]:
                rest = body[len(indent):] if body.startswith(indent) else body.lstrip()
                out.append(f"{indent}   {rest}" if body.strip() else "")
            _blank(out)
            i = close + 1
            continue
        if i < end and i not in guide.code and i not in headings:
            line = _code_spans(line)
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
        i += 1
    return out


# --- the Sphinx side ----------------------------------------------------------------


def _settings(app: Any) -> Settings:
    cached = getattr(app, "_howto_settings", None)
    if cached is None:
        from howto_hook.config import ConfigError, load_settings

        try:
            named = app.config.howto_config  # relative to conf.py's directory
            path = os.path.join(app.confdir, named) if named is not None else None
            cached = load_settings(path, cwd=app.confdir)
        except ConfigError as e:
            from sphinx.errors import ConfigError as SphinxConfigError

            raise SphinxConfigError(f"howto_hook.sphinx: {e}") from None
        app._howto_settings = cached
    return cached


def process_docstring(app: Any, what: str, name: str, obj: Any, options: Any,
                      lines: List[str]) -> None:
    """autodoc-process-docstring: rewrite a guide's lines in place."""
    new = to_rst(lines, _settings(app))
    if new is not None:
        lines[:] = new


def setup(app: Any) -> Dict[str, Any]:
    app.setup_extension("sphinx.ext.autodoc")
    app.add_config_value("howto_config", None, "env")
    # after napoleon (priority 500), which turns its own sections into fields first
    app.connect("autodoc-process-docstring", process_docstring, priority=600)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
