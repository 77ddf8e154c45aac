import math

import numpy as np
import pytest

from tools.experiments.evalue import (
    benefit_e_value,
    harm_e_value,
    log_benefit_e_value,
    log_benefit_e_values,
    log_harm_e_value,
    log_harm_e_values,
)


def expected_e_value(n: int, p_treatment: float, p_control: float, share: float) -> float:
    """E[E_n] computed exactly by summing over every count table of n tasks."""
    probs = (
        share * p_treatment,
        (1 - share) * p_control,
        share * (1 - p_treatment),
        (1 - share) * (1 - p_control),
    )
    total = 0.0
    for a in range(n + 1):
        for b in range(n + 1 - a):
            for c in range(n + 1 - a - b):
                d = n - a - b - c
                log_p = (
                    math.lgamma(n + 1) - sum(math.lgamma(k + 1) for k in (a, b, c, d))
                    + sum(k * math.log(p) for k, p in zip((a, b, c, d), probs, strict=True))
                )  # fmt: skip
                total += math.exp(log_p + log_benefit_e_value(a, a + c, b, b + d, share))
    return total


@pytest.mark.parametrize("share", [0.5, 0.3])
@pytest.mark.parametrize("rate", [0.05, 0.4])
def test_the_e_value_has_expectation_one_when_the_rule_does_nothing(share, rate):
    assert expected_e_value(25, rate, rate, share) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(("p_treatment", "p_control"), [(0.5, 0.3), (0.2, 0.05)])
def test_the_e_value_has_expectation_below_one_when_the_rule_hurts(p_treatment, p_control):
    assert expected_e_value(25, p_treatment, p_control, 0.5) < 1.0


def test_the_e_value_grows_when_the_rule_helps_and_harm_grows_when_it_hurts():
    assert benefit_e_value(6, 60, 25, 60, 0.5) > 100
    assert harm_e_value(6, 60, 25, 60, 0.5) < 0.1
    assert harm_e_value(25, 60, 6, 60, 0.5) == pytest.approx(benefit_e_value(6, 60, 25, 60, 0.5))


def test_no_tasks_is_no_evidence_either_way():
    assert benefit_e_value(0, 0, 0, 0, 0.5) == pytest.approx(1.0)
    assert harm_e_value(0, 0, 0, 0, 0.5) == pytest.approx(1.0)


def test_the_array_form_computes_the_same_values():
    counts = [(3, 40, 12, 38), (0, 5, 0, 7), (20, 100, 21, 99)]
    arrays = [np.array(column) for column in zip(*counts, strict=True)]
    for share in (0.5, 0.2):
        assert log_benefit_e_values(*arrays, share) == pytest.approx(
            [log_benefit_e_value(*c, share) for c in counts]
        )
        assert log_harm_e_values(*arrays, share) == pytest.approx(
            [log_harm_e_value(*c, share) for c in counts]
        )


def test_large_counts_stay_finite_in_log_space():
    assert math.isfinite(log_benefit_e_value(500, 5_000, 1_500, 5_000, 0.5))
    assert log_benefit_e_value(500, 5_000, 1_500, 5_000, 0.5) > 100


def test_impossible_counts_and_shares_are_refused():
    with pytest.raises(ValueError, match="share"):
        benefit_e_value(1, 2, 1, 2, 1.0)
    with pytest.raises(ValueError, match="events <= tasks"):
        benefit_e_value(3, 2, 1, 2, 0.5)
