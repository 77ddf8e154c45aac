from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import binomtest

from tools.evaluation.stats import (
    clopper_pearson,
    cluster_bootstrap_rr,
    gate,
    holm,
    mcnemar_one_sided,
    paired_e_value,
    paired_posterior,
    paired_table,
    spent_alpha,
)


@pytest.mark.parametrize(("b", "c", "expected"), [(12, 2, 23.9), (20, 6, 21.5), (10, 2, 9.4)])
def test_e_value_matches_the_worked_examples_of_the_design_note(b: int, c: int, expected: float) -> None:
    assert paired_e_value(b, c) == pytest.approx(expected, abs=0.05)


def test_e_value_equals_the_integral_it_is_defined_by() -> None:
    b, c = 7, 3
    steps = 200_000
    h = 0.5 / steps
    integral = sum(((0.5 + (i + 0.5) * h) ** b) * ((0.5 - (i + 0.5) * h) ** c) for i in range(steps)) * h
    assert paired_e_value(b, c) == pytest.approx(2 ** (b + c + 1) * integral, rel=1e-6)


@given(st.integers(0, 60), st.integers(0, 60))
def test_exact_mcnemar_matches_the_one_sided_binomial_test(b: int, c: int) -> None:
    expected = 1.0 if b + c == 0 else binomtest(b, b + c, 0.5, alternative="greater").pvalue
    assert mcnemar_one_sided(b, c) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_no_discordant_pairs_is_no_evidence() -> None:
    assert mcnemar_one_sided(0, 0) == 1.0
    assert paired_e_value(0, 0) == 1.0


def test_more_regressions_than_fixes_never_passes_the_gate() -> None:
    table = paired_table([(True, False)] * 3 + [(False, True)] * 9 + [(False, False)] * 20)
    result = gate(table, 0.05)
    assert not result.passed and result.p_value > 0.5 and result.e_value < 1


def test_paired_table_counts_each_cell() -> None:
    table = paired_table([(True, True), (True, False), (True, False), (False, True), (False, False)])
    assert (table.both, table.b, table.c, table.neither, table.n) == (1, 2, 1, 1, 5)
    assert table.relative_reduction() == pytest.approx(1 - 2 / 3)
    assert table.difference() == pytest.approx(1 / 5)


def test_relative_reduction_is_undefined_when_the_control_never_errs() -> None:
    assert paired_table([(False, True), (False, False)]).relative_reduction() is None


def test_clopper_pearson_is_exact_at_the_edges_and_contains_the_estimate() -> None:
    zero = clopper_pearson(0, 10)
    assert zero.low == 0.0 and zero.high == pytest.approx(1 - 0.025 ** (1 / 10))
    full = clopper_pearson(10, 10)
    assert full.high == 1.0 and full.low == pytest.approx(0.025 ** (1 / 10))
    mid = clopper_pearson(3, 10)
    assert mid.low < 0.3 < mid.high
    assert clopper_pearson(0, 0).value is None


def test_holm_adjusts_in_step_down_order_and_keeps_the_input_order() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([]) == []


def test_spent_alpha_over_an_unending_stream_sums_to_at_most_alpha() -> None:
    assert sum(spent_alpha(0.05, j) for j in range(1, 100_000)) <= 0.05
    assert spent_alpha(0.05, 1) == pytest.approx(0.05 * 6 / math.pi**2)


def test_cluster_bootstrap_interval_brackets_the_point_estimate() -> None:
    clusters = {f"f{i}": [(True, False), (True, True), (False, False), (True, False)] for i in range(8)}
    interval = cluster_bootstrap_rr(clusters, resamples=2000, seed=1)
    assert interval.value == pytest.approx(1 - 1 / 3)
    assert interval.low == pytest.approx(interval.value) and interval.high == pytest.approx(interval.value)
    mixed = {**clusters, "g": [(False, True)] * 4, "h": [(True, True)] * 2}
    wide = cluster_bootstrap_rr(mixed, resamples=2000, seed=1)
    assert wide.low < wide.value < wide.high
    assert wide.excludes_zero() is (wide.low > 0)


def test_cluster_bootstrap_is_reproducible_for_a_seed() -> None:
    clusters = {f"f{i}": [(i % 2 == 0, i % 3 == 0), (True, False)] for i in range(10)}
    assert cluster_bootstrap_rr(clusters, resamples=500, seed=3) == cluster_bootstrap_rr(
        clusters, resamples=500, seed=3
    )


def test_posterior_favours_the_arm_with_fewer_errors() -> None:
    table = paired_table([(True, False)] * 15 + [(False, True)] * 2 + [(False, False)] * 20)
    posterior = paired_posterior(table, draws=5000, seed=0)
    assert posterior["p_treatment_better"] > 0.99
    assert posterior["rr_credible_low"] > 0
