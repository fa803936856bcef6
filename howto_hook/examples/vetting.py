"""Fixing with examples: no candidate guide whose example fails is written.

`Vetted` wraps a generator: each outcome's candidates (the text, then its
alternatives) are run in turn and the first whose example runs is kept;
one none of whose candidates runs becomes "cannot fix" with the first
failure. The LLM generator asks `run_problem` and sends the failure back.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from howto_hook.examples.found import code_of_guide, import_root, overlay
from howto_hook.examples.results import Example, Result, describe
from howto_hook.examples.runner import Runner

if TYPE_CHECKING:
    from howto_hook.config import Settings
    from howto_hook.generate import Generator, Outcome, Request


def runner_for(settings: "Settings", jobs: int = 1) -> Runner:
    """The runner a run's settings ask for (example_python already resolved)."""
    python = settings.example_python or sys.executable
    return Runner(python, timeout=settings.example_timeout, jobs=jobs)


def _on_disk(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, UnicodeDecodeError):
        return None


def example_of_text(request: "Request", text: str) -> Optional[Example]:
    """The example of a generated docstring, ready to run; None when it has none
    that compiles (the rules reject such a guide anyway). A request whose file
    text is not what the disk holds (an editor's buffer) runs against its text."""
    from howto_hook import guide as g
    from howto_hook.generate import docstring_of

    doc = docstring_of(text)
    target = request.target._replace(docstring=doc)
    located = code_of_guide(target, g.parse(doc, request.settings), request.settings)
    if located is None:
        return None
    key = f"{request.target.path}:{request.target.line}:{request.target.qualname}"
    path = request.path or request.target.path
    module = None
    if request.module_text and _on_disk(path) != request.module_text:
        module = overlay(path, request.module_text)
    return Example(key, located[0], (import_root(path),), module)


def vet(outcomes: Sequence["Outcome"], runner: Runner) -> List["Outcome"]:
    """Each outcome with the first of its candidate texts whose example runs; an
    outcome none of whose candidates runs becomes a failure saying why."""
    from dataclasses import replace

    out = list(outcomes)
    tries = {n: [o.text, *o.alternatives] for n, o in enumerate(out) if o.text is not None}
    first_failure: Dict[int, Result] = {}
    while tries:
        batch = []
        for n, texts in tries.items():
            example = example_of_text(out[n].request, texts[0])
            batch.append((n, texts[0], example._replace(key=str(n)) if example else None))
        results = runner.run([e for _, _, e in batch if e is not None])
        by_key = {r.key: r for r in results}
        for n, text, example in batch:
            result = by_key.get(str(n)) if example is not None else None
            if example is None or (result is not None and result.ok):
                # no example of its own to run: the rules judge it (HOW203/HOW204)
                out[n] = replace(out[n], text=text, alternatives=(), verbatim=())
                del tries[n]
                continue
            first_failure.setdefault(n, result)
            tries[n] = tries[n][1:]
            if not tries[n]:
                del tries[n]
                why = describe(first_failure[n], runner.timeout)
                out[n] = replace(out[n], text=None, alternatives=(), error=why, verbatim=())
    return out


def run_problem(request: "Request", text: str, runner: Runner) -> Optional[Tuple[str, str]]:
    """None when the guide's example runs; else (a line for a repair prompt that
    names the exception, its message and the example line, the failure as the
    "cannot fix" reason says it)."""
    example = example_of_text(request, text)
    if example is None:
        return None
    result = runner.run([example])[0]
    if result.ok:
        return None
    why = describe(result, runner.timeout)
    rows = example.code.split("\n")
    if 1 <= result.line <= len(rows):
        where = f"usage_example line {result.line}: `{rows[result.line - 1].strip()}`"
    else:
        where = "usage_example"
    return f"HOW403 ({where}): {why}", why


class Vetted:
    """A generator whose guides are written only when their example runs."""

    def __init__(self, inner: "Generator", runner: Runner) -> None:
        self.inner = inner
        self.runner = runner
        self.name = inner.name

    def generate(self, requests: Sequence["Request"]) -> List["Outcome"]:
        return vet(self.inner.generate(requests), self.runner)


NOT_RUN = ("its example was not run (running examples is off, or no interpreter imports "
           "the project: see example-python) and is not taken from the project's own code")


class VerbatimOnly:
    """A generator whose guides are written, when examples are not run, only
    if their example is taken verbatim from the project (Outcome.verbatim)."""

    def __init__(self, inner: "Generator") -> None:
        self.inner = inner
        self.name = inner.name

    def generate(self, requests: Sequence["Request"]) -> List["Outcome"]:
        from dataclasses import replace

        out = []
        for o in self.inner.generate(requests):
            if o.text is not None:
                texts = [o.text, *o.alternatives]
                flags = list(o.verbatim) + [False] * len(texts)
                # a candidate without an example of its own: the rules judge it
                chosen = next((t for t, verbatim in zip(texts, flags)
                               if verbatim or example_of_text(o.request, t) is None), None)
                o = replace(o, text=chosen, alternatives=(), verbatim=(),
                            error="" if chosen is not None else NOT_RUN)
            out.append(o)
        return out

