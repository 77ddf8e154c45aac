"""Text of the ``solve_task`` prompt: the whole learning loop as instructions to the client's model."""

from __future__ import annotations

SOLVE_TASK = """\
Solve this {domain} coding task with the Fractal-RMO tools, which remember what went wrong in \
earlier tasks and turn it into rules:

<task>
{task}
</task>

1. Call `decompose` with the task text (domain "{domain}"). Keep the `task_id`. The result is a \
tree of steps; each step lists protocol `rules` to follow and known `pitfalls` (mistakes made \
before in that kind of step, with how to avoid them when a rule exists).
2. Work through the steps in order. Follow every rule of a step while doing it. If you need the \
rules again, call `get_protocol` with the `task_id` (not with the task text: the server keeps this \
task's experiment arm only by its id).
3. Validate real code, not your opinion of it: call `validate_code` with the code, the tests you \
wrote, `level` 3 (syntax, static checks and tests; 4 adds performance), the `task_id` and the \
`action_id` of the step. Failures are logged as errors automatically and come back with the \
known pattern and its insight; fix the code and validate again.
4. If code fails outside `validate_code` (a traceback from running it elsewhere), report it with \
`log_error`, including the traceback, the code, the `task_id` and the `action_id`.
5. Never log your own doubts or review comments as errors; only real failures count.
6. Finish with `complete_task`: `status` "succeeded" when the final code passed validation, \
"failed" when it did not, "abandoned" if you stop; include the tokens and cost you spent if you \
know them. This closes the task and lets the server measure which rules help.
"""


def solve_task_text(task: str, *, domain: str = "python") -> str:
    """The prompt's single user message."""
    return SOLVE_TASK.format(task=task.strip(), domain=domain)


def solve_task_messages(task: str, *, domain: str = "python") -> list[tuple[str, str]]:
    """(role, text) messages of the ``solve_task`` prompt."""
    return [("user", solve_task_text(task, domain=domain))]
