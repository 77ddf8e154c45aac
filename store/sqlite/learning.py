"""The learning loop on SQLite: protocol rules and versions, experiments, observations, taxonomy."""

from .learning_experiments import SqliteExperiments
from .learning_protocol import SqliteProtocol


class SqliteLearning(SqliteProtocol, SqliteExperiments):
    """Learning-loop methods of `SqliteStore` (the use cases of `store.learning.LearningStore`)."""
