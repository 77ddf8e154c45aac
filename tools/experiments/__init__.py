"""A/B experiments on protocol rules: deterministic arms, outcomes, and the anytime-valid gate."""

from .arms import assign_arm, is_holdout, unit_hash
from .config import DEFAULT_CONFIG, LearningConfig
from .evalue import benefit_e_value, harm_e_value
from .gate import GateResult, alpha_for, evaluate
from .lifecycle import Decision, apply_gate, promote_candidates, reconcile, start_experiment, stop_experiments
from .outcomes import record_task_outcome, task_patterns
from .simulate import SimulationResult, simulate_gate
from .views import ArmRate, Effectiveness, ExperimentOut, effectiveness, experiment_out

__all__ = [
    "DEFAULT_CONFIG",
    "ArmRate",
    "Decision",
    "Effectiveness",
    "ExperimentOut",
    "GateResult",
    "LearningConfig",
    "SimulationResult",
    "alpha_for",
    "apply_gate",
    "assign_arm",
    "benefit_e_value",
    "effectiveness",
    "evaluate",
    "experiment_out",
    "harm_e_value",
    "is_holdout",
    "promote_candidates",
    "reconcile",
    "record_task_outcome",
    "simulate_gate",
    "start_experiment",
    "stop_experiments",
    "task_patterns",
    "unit_hash",
]
