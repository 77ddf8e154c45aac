"""The learning loop on PostgreSQL: protocol rules and versions, experiments, observations, taxonomy."""

from .learning_experiments import PostgresExperiments
from .learning_protocol import PostgresProtocol


class PostgresLearning(PostgresProtocol, PostgresExperiments):
    """Learning-loop methods of `PostgresStore` (the use cases of `store.learning.LearningStore`)."""
