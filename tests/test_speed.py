"""The hot path stays light, and the result cache spares parsing (no timing here:
speed is measured by bench/bench.py, not by tests)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import GOOD_GUIDE, function_source
from howto_hook import locate

PROBE = ("import sys; from howto_hook.main import main; rc = main({argv!r}); "
         "print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'libcst', 'openai'}}))")


def probe(cwd: Path, argv: "list[str]") -> "tuple[str, str]":
    proc = subprocess.run([sys.executable, "-c", PROBE.format(argv=argv)], cwd=cwd, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc.stdout.strip().splitlines()[-1], proc.stderr


def test_check_never_imports_openai(tmp_path) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE), encoding="utf-8")
    loaded, err = probe(tmp_path, ["--all", "--no-cache", "--exit-zero"])
    assert loaded == "['libcst']", err  # libcst parses the file; openai stays out


def test_warm_cache_imports_neither(tmp_path) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE), encoding="utf-8")
    probe(tmp_path, ["--all"])
    loaded, err = probe(tmp_path, ["--all"])
    assert loaded == "[]", err
    assert "1 definition in 1 file" in err


def test_cache_spares_the_parse_until_something_changes(tmp_path, run_main, monkeypatch) -> None:
    (tmp_path / "m.py").write_text(function_source(GOOD_GUIDE.replace("reads", "is getting")),
                                   encoding="utf-8")
    real = locate.parse_module
    log = tmp_path.parent / f"{tmp_path.name}-parses"

    def counting(source: str, **kw: object):
        with open(log, "a") as f:  # parses happen in forked workers: count on disk
            f.write("1")
        return real(source, **kw)

    class Calls:
        def __len__(self) -> int:
            return len(log.read_text()) if log.exists() else 0

    calls = Calls()

    monkeypatch.setattr(locate, "parse_module", counting)
    first = run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 1 and first[0] == 1
    second = run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 1 and second == first  # served from .howto_cache/
    run_main(["--all", "--jobs", "1", "--no-cache"], tmp_path)
    assert len(calls) == 2
    run_main(["--all", "--jobs", "1", "--select", "HOW1"], tmp_path)  # other settings
    assert len(calls) == 3
    (tmp_path / "m.py").write_text((tmp_path / "m.py").read_text() + "\n# edit\n")
    run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 4
    (tmp_path / "__init__.py").write_text("")  # what HOW402 reads beside the file
    run_main(["--all", "--jobs", "1"], tmp_path)
    assert len(calls) == 6  # m.py again, and the new __init__.py itself
    assert (tmp_path / ".howto_cache" / ".gitignore").read_text() == "*\n"


def test_cached_results_are_exact(tmp_path, run_main) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text(
        function_source(GOOD_GUIDE.replace("reads", "is getting")), encoding="utf-8")
    cold = run_main(["--all", "--output-format", "json"], tmp_path)
    warm = run_main(["--all", "--output-format", "json"], tmp_path)
    assert cold == warm and '"symbol": "send_report"' in warm[1]
    # the same entry serves a run from another directory, with its own paths
    status, out, _ = run_main(["--all", "."], tmp_path / "sub")
    assert out.startswith("m.py:")
