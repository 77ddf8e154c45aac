"""Grouping quality on labelled errors: predicted patterns against the true kind of each mistake.

Mining parameters were chosen on `labelled_errors` (100 errors, 18 kinds); `labelled_errors_holdout`
(58 errors, 16 kinds, 12 of them not in the tuning set) was written afterwards and not tuned on. Both score pairwise
F1 = 1.0 and ARI = 1.0, logged all at once or in batches with a mining pass after each batch.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from types import ModuleType

import pytest

from store import Store
from tests.data import labelled_errors, labelled_errors_holdout
from tests.data.labelled_errors import Labelled
from tools.find_patterns import PatternQuery, find_patterns
from tools.log_error import ErrorReport, Evidence, log_error

pytestmark = pytest.mark.anyio

MIN_PAIRWISE_F1 = 0.95
MIN_ADJUSTED_RAND = 0.95


def pairwise_scores(labels: Sequence[str], predicted: Sequence[str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over all pairs of errors: a pair is positive when it shares a group."""
    true_positive = false_positive = false_negative = 0
    for i, j in itertools.combinations(range(len(labels)), 2):
        same_label, same_pattern = labels[i] == labels[j], predicted[i] == predicted[j]
        true_positive += same_label and same_pattern
        false_positive += same_pattern and not same_label
        false_negative += same_label and not same_pattern
    precision = true_positive / (true_positive + false_positive) if true_positive + false_positive else 1.0
    recall = true_positive / (true_positive + false_negative) if true_positive + false_negative else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


async def log_and_mine(errors: list[Labelled], store: Store, workspace: str, *, batches: int) -> list[str]:
    """Log the errors (mining after each batch) and return each error's final pattern id."""
    tasks: dict[str, str] = {}
    error_ids: list[str] = []
    size = -(-len(errors) // batches)
    for start in range(0, len(errors), size):
        for entry in errors[start : start + size]:
            if entry.task not in tasks:
                tasks[entry.task] = (await store.create_task(workspace, entry.task, domain="python")).task_id
            evidence = Evidence(**entry.evidence) if entry.evidence else None
            report = ErrorReport(**entry.report, task_id=tasks[entry.task])
            error_ids.append(
                (await log_error(report, store=store, workspace=workspace, evidence=evidence)).error_id
            )
        await find_patterns(PatternQuery(), store=store, workspace=workspace)
    return [(await store.get_error(workspace, error_id)).pattern_id for error_id in error_ids]


@pytest.mark.parametrize("batches", [1, 3])
@pytest.mark.parametrize("data", [labelled_errors, labelled_errors_holdout], ids=["tuning", "holdout"])
async def test_mined_patterns_match_the_true_kinds_of_mistake(
    store: Store, workspace: str, data: ModuleType, batches: int
) -> None:
    from sklearn.metrics import adjusted_rand_score

    errors: list[Labelled] = data.ERRORS
    assert len(errors) >= 50 and len({e.kind for e in errors}) >= 8
    predicted = await log_and_mine(errors, store, workspace, batches=batches)
    labels = [e.kind for e in errors]
    precision, recall, f1 = pairwise_scores(labels, predicted)
    rand = adjusted_rand_score(labels, predicted)
    assert f1 >= MIN_PAIRWISE_F1, (precision, recall, f1, rand)
    assert rand >= MIN_ADJUSTED_RAND, (precision, recall, f1, rand)


def test_pairwise_scores_count_pairs() -> None:
    assert pairwise_scores(["a", "a", "b"], ["x", "x", "y"]) == (1.0, 1.0, 1.0)
    assert pairwise_scores(["a", "a", "b", "b"], ["x", "x", "x", "y"]) == pytest.approx((1 / 3, 1 / 2, 0.4))
