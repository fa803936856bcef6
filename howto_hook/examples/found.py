"""Finding the examples to run (HOW403): each checked definition's Usage
Example, located in its file, and the findings its results become."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

from howto_hook.examples.results import Example, Result, describe

if TYPE_CHECKING:
    from howto_hook.check import Analysis
    from howto_hook.config import Settings
    from howto_hook.examples.runner import Runner
    from howto_hook.guide import Guide
    from howto_hook.model import Target, Violation


def import_root(path: str) -> str:
    """The directory a file's module is imported from (see modpath): the first
    directory above its packages, i.e. the project root or `src/`."""
    # the real file, as modpath names its module: a link's own directory may
    # not hold the module its example imports (`link.py -> real/mod.py`)
    directory = os.path.dirname(os.path.realpath(path))
    while os.path.isfile(os.path.join(directory, "__init__.py")):
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return directory



class Found(NamedTuple):
    """One definition's Usage Example, located in its file."""

    target: "Target"
    example: Example
    # file (line, column) of each line of the example's code, in order
    places: Tuple[Tuple[int, int], ...]


def code_of_guide(target: "Target", guide: "Guide", settings: "Settings"
                  ) -> Optional[Tuple[str, Tuple[Tuple[int, int], ...]]]:
    """The example's code (when it compiles) and the file place of each line."""
    from howto_hook import rules

    parsed = rules.example_tree(rules.Context(target, guide, settings))
    if parsed is None:
        return None  # no example, or HOW204 already says it is not Python
    _, first, code = parsed
    places = []
    for n, text in enumerate(code.split("\n")):
        index = first + n
        shown = guide.lines[index].text if index < len(guide.lines) else ""
        places.append(guide.pos(index, len(shown) - len(shown.lstrip())))
    return code, tuple(places)


def find(analysis: "Analysis", path: str, enabled: FrozenSet[str], settings: "Settings",
         buffer: bool = False) -> List[Found]:
    """The examples to run in one checked file: those of definitions checked for
    HOW403 whose `def` line or docstring end carries no `# noqa` for it. With
    `buffer` the file's text is an editor's, which the examples import instead
    of the file on disk."""
    from howto_hook import check
    from howto_hook import guide as g

    if "HOW403" not in enabled:
        return []
    lines = analysis.text.split("\n")
    root = import_root(path)
    module = overlay(path, analysis.text) if buffer else None
    out = []
    for target, _ in analysis.checked:
        if target.docstring is None:
            continue
        if any(_silenced(lines, n, check) for n in (target.line, target.docstring.end_line)):
            continue
        located = code_of_guide(target, g.parse(target.docstring, settings), settings)
        if located is None:
            continue
        code, places = located
        key = f"{path}:{target.line}:{target.qualname}"
        out.append(Found(target, Example(key, code, (root,), module), places))
    return out


def overlay(path: str, text: str) -> Tuple[str, str, str]:
    """(module name, file, text): what an example imports instead of the file."""
    from howto_hook.modpath import module_of_file

    return module_of_file(path), os.path.abspath(path), text


def _silenced(lines: List[str], n: int, check) -> bool:  # type: ignore[no-untyped-def]
    if not 1 <= n <= len(lines):
        return False
    codes = check.noqa_codes(lines[n - 1])
    return codes is not None and (not codes or "HOW403" in codes)


def violations(found: Sequence[Found], results: Sequence[Result], text: str,
               timeout: float) -> List["Violation"]:
    """HOW403 for each example that failed, at its failing line (else its first)."""
    from howto_hook import check
    from howto_hook.model import Violation

    lines = text.split("\n")
    out = []
    for f, r in zip(found, results):
        if r.ok:
            continue
        index = r.line - 1 if 1 <= r.line <= len(f.places) else 0
        line, col = f.places[index]
        if _silenced(lines, line, check):
            continue
        out.append(Violation(f.target.path, line, col, "HOW403", describe(r, timeout),
                             f.target.qualname, check.doc_hash(f.target)))
    return out


def might_hold_example(data: bytes, settings: "Settings") -> bool:
    """A cheap look at the bytes before any parse: a guide's example needs both."""
    return settings.sections.example.encode("utf-8") in data and b"```py" in data


File = Tuple[str, str, FrozenSet[str], Optional[FrozenSet[int]], "Settings"]


def check_files(files: Sequence[File], runner_of, skip: Sequence[Tuple[str, str]] = (),
                buffers: Optional[Dict[str, bytes]] = None
                ) -> Dict[str, List["Violation"]]:  # type: ignore[no-untyped-def]
    """HOW403 findings by display path for (path, display, enabled codes, changed
    lines, settings) of each file. `runner_of(settings)` gives the Runner a
    file's examples go to; each runner gets all of its examples at once.
    `skip` holds (display, qualname) of examples already run (a fix's);
    `buffers` the text of a path that is not the file's (stdin)."""
    from howto_hook import check, safeio

    skipped = set(skip)
    everything: List[Tuple[str, str, List[Found], Runner]] = []
    for path, display, enabled, changed, settings in files:
        if "HOW403" not in enabled:
            continue
        try:
            data = (buffers or {}).get(path) or check.read_source(path, settings)
        except safeio.Refused:
            continue  # the check itself reports the file
        if not might_hold_example(data, settings):
            continue
        analysis = check.analyse(data, path=display, settings=settings, enabled=frozenset(),
                                 changed=changed)
        found = [f for f in find(analysis, path, enabled, settings, path in (buffers or {}))
                 if (display, f.target.qualname) not in skipped]
        if found:
            everything.append((display, analysis.text, found, runner_of(settings)))
    results: Dict[int, List[Result]] = {}
    for runner in {id(r): r for *_, r in everything}.values():
        mine = [n for n, item in enumerate(everything) if item[3] is runner]
        got = iter(runner.run([f.example for n in mine for f in everything[n][2]]))
        for n in mine:
            results[n] = [next(got) for _ in everything[n][2]]
    out: Dict[str, List["Violation"]] = {}
    for n, (display, text, found, runner) in enumerate(everything):
        out[display] = violations(found, results[n], text, runner.timeout)
    return out


