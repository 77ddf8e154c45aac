"""Deterministic arms: a hash of (workspace, task, rule), never the transport session.

The same task always gets the same arm for a rule, from any connection and any server instance,
and arms of different rules (and the hold-out) are independent because each hash is salted.
"""

from __future__ import annotations

import hashlib

from store.learning import Arm


def unit_hash(*parts: str) -> float:
    """A number in [0, 1) that is a deterministic, uniformly spread function of `parts`."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_holdout(workspace: str, task_id: str, share: float) -> bool:
    """Whether the task belongs to the persistent hold-out that sees only the baseline protocol."""
    return share > 0 and unit_hash("holdout", workspace, task_id) < share


def assign_arm(
    workspace: str, task_id: str, rule_id: str, *, treatment_share: float, holdout_share: float
) -> Arm:
    if is_holdout(workspace, task_id, holdout_share):
        return "holdout"
    return "treatment" if unit_hash("arm", workspace, task_id, rule_id) < treatment_share else "control"
