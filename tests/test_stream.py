"""A check's report is streamed: each file's violations are written as its
result comes, byte for byte what the whole report would say, and the run
does not hold every file's result to the end (memory flat in the number of
files; bench/speed.py's scaling section measures it)."""
from __future__ import annotations

import gc
from pathlib import Path
from typing import List

import pytest

from conftest import GOOD_GUIDE, function_source
from howto_hook import output
from howto_hook.model import FileResult

BAD = function_source(GOOD_GUIDE.replace("reads the report", "is getting the report"))


def tree(root: Path, files: int) -> Path:
    """Files whose sizes fall as their names rise, in two packages, so that the
    workers (largest first) finish them in the reverse of the report's order."""
    for k in range(files):
        p = root / ("pkg_a" if k % 2 else "pkg_b") / f"m{k:03d}.py"
        p.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"def f{j}(x):\n    return x\n\n\n" for j in range(files - k))
        p.write_text(BAD + "\n\n" + body, encoding="utf-8")
    return root


def whole(*_: object) -> bool:
    return False


@pytest.mark.parametrize("args", [
    pytest.param(["--no-cache", "--jobs", "2"], id="text-cold-out-of-order"),
    pytest.param([], id="text-warm-cached"),
    pytest.param(["--color", "always", "--no-cache", "--jobs", "2"], id="text-colour"),
    pytest.param(["--output-format", "github", "--no-cache", "--jobs", "2"], id="github-cold"),
    pytest.param(["--output-format", "github"], id="github-warm"),
    pytest.param(["--output-format", "json"], id="json-whole"),
    pytest.param(["--output-format", "sarif"], id="sarif-whole"),
    pytest.param(["--fail-under", "50"], id="fail-under-exit-status"),
])
def test_streamed_report_is_the_whole_report(tmp_path, run_main, monkeypatch, args) -> None:
    root = tree(tmp_path, 24)
    run_main(["--all", "--exit-zero"], str(root))  # fills the cache for the warm cases
    streamed = run_main(["--all", *args], str(root))
    monkeypatch.setattr(output, "streams_report", whole)
    assert run_main(["--all", *args], str(root)) == streamed
    assert streamed[1].count("HOW") >= 24  # every file reported, in both


def test_a_streamed_run_does_not_hold_every_result(tmp_path, run_main, monkeypatch) -> None:
    """Live FileResult objects when the report closes: none is left of a
    streamed run; the whole report holds one per file."""
    root = tree(tmp_path, 40)
    live: List[int] = []

    def counting(close):  # type: ignore[no-untyped-def]
        def wrapped(*a, **k):  # type: ignore[no-untyped-def]
            gc.collect()
            live.append(sum(isinstance(o, FileResult) for o in gc.get_objects()))
            return close(*a, **k)
        return wrapped

    monkeypatch.setattr(output, "_close", counting(output._close))
    for args in (["--no-cache", "--jobs", "2"], []):  # cold, out of order; then warm
        run_main(["--all", "--exit-zero", *args], str(root))
    assert len(live) == 2 and max(live) <= 2, live
    monkeypatch.setattr(output, "streams_report", whole)
    run_main(["--all", "--exit-zero"], str(root))
    assert live[-1] >= 40  # the whole report holds them: the count sees them
