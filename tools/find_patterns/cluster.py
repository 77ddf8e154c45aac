"""Vectors for fingerprint groups and the clustering of those vectors (scikit-learn, imported lazily).

Similarity is cosine. Each part of a vector (message text, code text, structural tokens) is
L2-normalised and scaled by the square root of its weight, so the similarity of two groups is the
weighted sum of the three parts' similarities; a part either group lacks (no code) adds nothing.
The defaults were chosen on the labelled errors in ``tests/data/labelled_errors.py`` and checked on
a held-out set (``labelled_errors_holdout.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .features import code_document, message_document, structural_tokens

if TYPE_CHECKING:
    import numpy as np
    from scipy.sparse import csr_matrix


@dataclass(frozen=True, slots=True)
class ClusterParams:
    distance_threshold: float = 0.7
    """Average cosine distance under which two clusters are the same mistake."""
    named_distance_threshold: float = 0.9
    """The threshold in blocks whose key already names the mistake (a static rule family, the way
    a wrong answer was wrong): there the words mostly name the task, not the mistake."""
    message_weight: float = 0.4
    """Share of the similarity from the message template."""
    code_weight: float = 0.2
    """Share from the code (frames, assert shape, offending line). The rest is structural."""
    max_agglomerative: int = 3000
    """Blocks larger than this are clustered by leader assignment (linear memory) instead."""


def vectorize(features: Sequence[Mapping[str, Any]], params: ClusterParams) -> csr_matrix:
    """One row per group: the weighted, normalised message, code and structural parts side by side."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.preprocessing import normalize

    structure_weight = max(0.0, 1.0 - params.message_weight - params.code_weight)
    parts = [
        (_tfidf([message_document(f) for f in features]), params.message_weight),
        (_tfidf([code_document(f) for f in features]), params.code_weight),
        (
            DictVectorizer(dtype=np.float64).fit_transform([structural_tokens(f) for f in features]),
            structure_weight,
        ),
    ]
    return csr_matrix(hstack([normalize(part) * weight**0.5 for part, weight in parts], format="csr"))


def _tfidf(documents: list[str]) -> csr_matrix:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not any(documents):
        return csr_matrix((len(documents), 1))
    vectorizer = TfidfVectorizer(
        token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True, dtype=np.float64
    )
    return vectorizer.fit_transform(documents)


def threshold_for(regime: str, params: ClusterParams) -> float | None:
    """The distance threshold for a block regime (see `features.block_regime`); None: never merge."""
    if regime == "separate":
        return None
    return params.named_distance_threshold if regime == "named" else params.distance_threshold


def unit_matrix(matrix: csr_matrix, units: Sequence[Sequence[int]]) -> csr_matrix:
    """One row per unit: the (unnormalised) mean of its groups' rows. The dot product of two such
    means is the average pairwise similarity between their groups, which average linkage compares."""
    import numpy as np
    from scipy.sparse import csr_matrix

    unit_index = [u for u, rows in enumerate(units) for _ in rows]
    row_index = [row for rows in units for row in rows]
    weights = [1.0 / len(rows) for rows in units for _ in rows]
    averaging = csr_matrix(
        (np.asarray(weights), (np.asarray(unit_index), np.asarray(row_index))),
        shape=(len(units), matrix.shape[0]),
    )
    return csr_matrix(averaging @ matrix)


def cluster_units(units: csr_matrix, threshold: float, params: ClusterParams) -> list[int]:
    """A cluster label per unit (a row of `unit_matrix`), by average linkage under `threshold`."""
    import numpy as np

    count = units.shape[0]
    if count == 1:
        return [0]
    if count > params.max_agglomerative:
        return _leader_labels(units, threshold)
    from sklearn.cluster import AgglomerativeClustering

    distances = np.clip(1.0 - (units @ units.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=threshold,
    )
    return [int(label) for label in model.fit_predict(distances)]


def _leader_labels(units: csr_matrix, threshold: float) -> list[int]:
    """For very large blocks: reduce to 128 dimensions, then give each unit, in order, to the nearest
    cluster mean within `threshold` or start a new cluster. Memory stays linear in the units."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD

    dimensions = max(1, min(128, units.shape[1] - 1, units.shape[0] - 1))
    dense = TruncatedSVD(n_components=dimensions, random_state=0).fit_transform(units)
    sums = np.zeros_like(dense)
    sizes = np.zeros(len(dense))
    labels: list[int] = []
    clusters = 0
    for vector in dense:
        best = -1
        if clusters:
            similarities = (sums[:clusters] @ vector) / sizes[:clusters]
            best = int(np.argmax(similarities))
            if 1.0 - similarities[best] > threshold:
                best = -1
        if best < 0:
            best = clusters
            clusters += 1
        sums[best] += vector
        sizes[best] += 1
        labels.append(best)
    return labels


def average_similarity(units: csr_matrix, others: csr_matrix) -> np.ndarray:
    """Average-linkage similarity of every unit row with every other row (dense units x others)."""
    return (units @ others.T).toarray()


def cohesion(matrix: csr_matrix, rows: Sequence[int]) -> float:
    """Mean cosine similarity of member groups to their normalised centre (1.0 for one group)."""
    import numpy as np

    if len(rows) <= 1:
        return 1.0
    members = matrix[list(rows)]
    centre = np.asarray(members.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centre))
    if norm == 0.0:
        return 0.0
    similarities = members @ (centre / norm)
    return round(float(np.clip(np.mean(similarities), 0.0, 1.0)), 4)
