"""Reading the server's answers: validation feedback for the executor, the step to attribute, rule ids."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

FEEDBACK = """\
Your previous attempt:
```python
{code}
```
failed validation:
{failure}
Fix it and reply with the whole corrected module."""


def summarise_validation(result: dict[str, Any], limit: int = 1500) -> str:
    """The failing stages and their findings, as the executor's feedback and the report's failure text."""
    lines = []
    for stage in result.get("stages") or []:
        if stage.get("passed", True):
            continue
        lines.append(f"{stage.get('name', 'stage')} failed:")
        for finding in (stage.get("findings") or [])[:4]:
            where = f" (line {finding['line']})" if finding.get("line") else ""
            code = f"[{finding['code']}] " if finding.get("code") else ""
            test = f"{finding['test_name']}: " if finding.get("test_name") else ""
            lines.append(f"  - {code}{test}{finding.get('message', '')}{where}")
    text = "\n".join(lines) or "validation did not pass"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_leaf(items: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The first step of decompose's plan that has no sub-steps: the one validation is attributed to."""
    parents = {item.get("parent_id") for item in items}
    leaves = [item for item in items if item.get("id") not in parents]
    return (leaves or list(items) or [None])[0]


def rule_id_of(answer: dict[str, Any]) -> str | None:
    """The id of the rule propose_insight made (``rule.id`` in the contract; flat ids accepted)."""
    rule = answer.get("rule")
    if isinstance(rule, dict) and rule.get("id"):
        return str(rule["id"])
    for key in ("rule_id", "id"):
        if answer.get(key):
            return str(answer[key])
    return None
