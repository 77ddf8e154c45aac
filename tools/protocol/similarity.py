"""TF-IDF similarity between a task's text and the texts of tasks where a pattern occurred.

The corpora are small (tens of task descriptions per request), so a few lines of standard-library
code beat importing scikit-learn on the request path, and give the same cosine similarity.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence

_WORD = re.compile(r"[a-z][a-z0-9_]+")
_STOP = frozenset(
    (
        "the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "will", "which", "when",
        "what", "where", "who", "how", "than", "then", "them", "they", "their", "there", "these", "those",
        "into", "onto", "over", "under", "been", "being", "have", "has", "had", "does", "did", "doing",
        "not", "but", "all", "any", "each", "every", "some", "such", "only", "also", "just", "more", "most",
        "other", "same", "very", "can", "could", "should", "would", "may", "might", "must", "shall", "its",
        "your", "you", "our", "out", "use", "using", "used", "given", "return", "returns", "write",
        "function", "list", "value", "values", "number", "numbers", "string", "strings", "python", "code",
        "task",
    )
)  # fmt: skip


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP]


def _vector(counts: Counter[str], idf: Mapping[str, float]) -> dict[str, float]:
    weights = {w: (1.0 + math.log(c)) * idf[w] for w, c in counts.items()}
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {w: v / norm for w, v in weights.items()} if norm else {}


def max_similarity(query: str, groups: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """For each group, the largest cosine similarity between `query` and one of its texts (0..1)."""
    query_counts = Counter(words(query))
    if not query_counts:
        return dict.fromkeys(groups, 0.0)
    docs = {key: [Counter(words(text)) for text in texts] for key, texts in groups.items()}
    all_docs = [c for cs in docs.values() for c in cs] + [query_counts]
    df: Counter[str] = Counter()
    for counts in all_docs:
        df.update(counts.keys())
    n = len(all_docs)
    idf = {w: math.log((1 + n) / (1 + d)) + 1.0 for w, d in df.items()}
    q = _vector(query_counts, idf)
    out: dict[str, float] = {}
    for key, counts_list in docs.items():
        best = 0.0
        for counts in counts_list:
            v = _vector(counts, idf)
            best = max(best, sum(weight * v.get(w, 0.0) for w, weight in q.items()))
        out[key] = min(1.0, best)
    return out
