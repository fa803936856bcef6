"""Running Usage Examples (HOW403, `--fix`, `pytest --howto-examples`).

Nothing here runs unless examples are asked for. Each example runs alone,
in a child forked for it by a server on the project's own interpreter, in a
sandbox: docs/examples-sandbox.md says what an example may do. The modules,
one job each:

    results      Example, Result and their words (HOW403 messages, causes)
    interpreter  which interpreter: the project's, never a tracked one
    policy       the example's environment (an allowlist), its limits, the sweep
    guard        the audit hook (runs in the example's interpreter)
    tree         a process's descendants, found and killed (both sides)
    driver       the example server (runs in the example's interpreter)
    runner       servers started, their reports read against deadlines
    found        the examples of checked files, and their HOW403 findings
    vetting      fixing: only a candidate whose example runs is written
    stage        the command line's stage and summary
"""
from howto_hook.examples.found import (Found, check_files, code_of_guide, find, import_root,
                                       might_hold_example, violations)
from howto_hook.examples.interpreter import Choice, choose_python
from howto_hook.examples.policy import child_environment
from howto_hook.examples.results import DEFAULT_TIMEOUT, Example, Result, RunnerError, describe
from howto_hook.examples.runner import Runner
from howto_hook.examples.stage import fix_line, prepare, stage, wanted
from howto_hook.examples.vetting import (NOT_RUN, VerbatimOnly, Vetted, example_of_text,
                                         run_problem, runner_for, vet)

__all__ = [
    "DEFAULT_TIMEOUT", "NOT_RUN", "Choice", "Example", "Found", "Result", "Runner", "RunnerError",
    "VerbatimOnly", "Vetted", "check_files", "fix_line", "child_environment", "choose_python", "code_of_guide",
    "describe", "example_of_text", "find", "import_root", "might_hold_example", "prepare",
    "run_problem", "runner_for", "stage", "vet", "violations", "wanted",
]
