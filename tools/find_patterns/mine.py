"""Pattern mining: merge fingerprint groups that are the same mistake into one pattern.

The store groups errors by exact fingerprint as they are written; every new fingerprint starts a
pattern of its own. Mining clusters the *distinct signatures* (never raw errors, so its cost grows
with the number of different mistakes, not with traffic) and folds patterns together with
`Store.merge_patterns`; the largest (then oldest) pattern survives and keeps its id.

- Incremental (`find_patterns` runs it first): new groups are clustered among themselves, then
  each new cluster joins the existing pattern it is closest to by average linkage, if that is
  within the threshold; otherwise it becomes a pattern of its own.
- Full (`mine_patterns(full=True)`): every live pattern of a block is re-clustered, so patterns
  that grew towards each other merge. Patterns are never split.

A pass runs inside the workspace's mining turn (`Store.mining_turn`), so however many server
processes share the database, one pass at a time mines a workspace and no group is mined twice.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import anyio

from store.base import MINING_WAIT_S, Conflict, NotFound, PatternMerge, SignatureGroup, Store, StoreBusy
from tools.errors import Busy

from .cluster import (
    ClusterParams,
    average_similarity,
    cluster_units,
    cohesion,
    threshold_for,
    unit_matrix,
    vectorize,
)
from .describe import pattern_signature, pattern_title
from .features import block_key, block_regime

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

DEFAULT_PARAMS = ClusterParams()


@dataclass(frozen=True, slots=True)
class MiningPlan:
    merges: list[PatternMerge] = field(default_factory=list)
    mined: list[str] = field(default_factory=list)
    """Fingerprints of the groups this pass compared (to mark as mined)."""
    groups: int = 0
    """Groups whose features were vectorised."""


@dataclass(frozen=True, slots=True)
class MiningReport:
    groups_mined: int
    patterns_merged: int
    duration_ms: float


@dataclass(slots=True)
class _Unit:
    pattern_id: str
    rows: list[int]
    frequency: int
    first_seen: datetime
    new: bool


def plan_mining(
    groups: Sequence[SignatureGroup], *, full: bool = False, params: ClusterParams = DEFAULT_PARAMS
) -> MiningPlan:
    """Decide merges for `groups` (all of a workspace's groups). Pure; CPU-bound."""
    unmined = [g.fingerprint for g in groups if not g.mined]
    if not groups or (not full and not unmined):
        return MiningPlan(mined=unmined)
    units = _units(groups)
    blocks: dict[str, list[_Unit]] = defaultdict(list)
    for unit in units:
        largest = max(unit.rows, key=lambda row: groups[row].count)
        blocks[block_key(groups[largest].features)].append(unit)
    if not full:
        blocks = {key: members for key, members in blocks.items() if any(u.new for u in members)}
    # Only rows in blocks that can change need vectors, but TF-IDF weights come from every group
    # so that a word's rarity is judged across the whole library, the same way in both modes.
    matrix = vectorize([g.features for g in groups], params)
    merges: list[PatternMerge] = []
    for key, members in blocks.items():
        threshold = threshold_for(block_regime(key), params)
        if threshold is None:
            clusters = [[unit] for unit in members]
        elif full:
            clusters = _full_clusters(members, matrix, threshold, params)
        else:
            clusters = _incremental_clusters(members, matrix, threshold, params)
        for cluster in clusters:
            if len(cluster) > 1:
                merges.append(_merge(cluster, groups, matrix))
            elif cluster[0].new:
                # A pattern that stays alone is described once: the store starts its signature as
                # its title; a merge that absorbs nothing sets it in the same transaction.
                alone = [groups[row] for row in cluster[0].rows]
                merges.append(
                    PatternMerge(into=cluster[0].pattern_id, absorbed=[], signature=pattern_signature(alone))
                )
    return MiningPlan(merges=merges, mined=unmined, groups=len(groups))


def _units(groups: Sequence[SignatureGroup]) -> list[_Unit]:
    by_pattern: dict[str, _Unit] = {}
    for row, group in enumerate(groups):
        unit = by_pattern.get(group.pattern_id)
        if unit is None:
            unit = by_pattern[group.pattern_id] = _Unit(group.pattern_id, [], 0, group.first_seen, True)
        unit.rows.append(row)
        unit.frequency += group.count
        unit.first_seen = min(unit.first_seen, group.first_seen)
        unit.new = unit.new and not group.mined
    return list(by_pattern.values())


def _full_clusters(
    members: list[_Unit], matrix: csr_matrix, threshold: float, params: ClusterParams
) -> list[list[_Unit]]:
    labels = cluster_units(unit_matrix(matrix, [u.rows for u in members]), threshold, params)
    clusters: dict[int, list[_Unit]] = defaultdict(list)
    for unit, label in zip(members, labels, strict=True):
        clusters[label].append(unit)
    return list(clusters.values())


def _incremental_clusters(
    members: list[_Unit], matrix: csr_matrix, threshold: float, params: ClusterParams
) -> list[list[_Unit]]:
    new = [u for u in members if u.new]
    old = [u for u in members if not u.new]
    new_clusters = _full_clusters(new, matrix, threshold, params)
    if not old:
        return new_clusters
    cluster_means = unit_matrix(
        matrix, [[row for u in cluster for row in u.rows] for cluster in new_clusters]
    )
    old_means = unit_matrix(matrix, [u.rows for u in old])
    similarities = average_similarity(cluster_means, old_means)
    joined: dict[int, list[_Unit]] = defaultdict(list)
    result: list[list[_Unit]] = []
    for index, cluster in enumerate(new_clusters):
        best = int(similarities[index].argmax())
        if 1.0 - similarities[index, best] <= threshold:
            joined[best].extend(cluster)
        else:
            result.append(cluster)
    result.extend([old[best], *cluster] for best, cluster in joined.items())
    return result


def _merge(cluster: list[_Unit], groups: Sequence[SignatureGroup], matrix: csr_matrix) -> PatternMerge:
    survivor = max(cluster, key=lambda u: (u.frequency, _age_key(u), -_id_number(u.pattern_id)))
    rows = [row for unit in cluster for row in unit.rows]
    members = [groups[row] for row in rows]
    return PatternMerge(
        into=survivor.pattern_id,
        absorbed=[u.pattern_id for u in cluster if u is not survivor],
        title=pattern_title(members),
        signature=pattern_signature(members),
        cohesion=cohesion(matrix, rows),
    )


def _age_key(unit: _Unit) -> float:
    return -unit.first_seen.timestamp()


def _id_number(pattern_id: str) -> int:
    digits = pattern_id.rsplit("-", 1)[-1]
    return int(digits) if digits.isdigit() else 0


async def mine_patterns(
    store: Store,
    workspace: str,
    *,
    full: bool = False,
    params: ClusterParams = DEFAULT_PARAMS,
    wait_s: float = MINING_WAIT_S,
) -> MiningReport:
    """Run one mining pass and apply it. A pass that finds nothing new returns at once.

    The pass waits up to `wait_s` seconds for another process's pass over the same workspace to
    end, then raises `Busy`.
    """
    started = time.perf_counter()
    # Unlocked first look: when nothing is new, callers list the library without queueing behind
    # a pass that is mining it.
    if not full and not await store.signature_groups(workspace, only_unmined=True):
        return MiningReport(groups_mined=0, patterns_merged=0, duration_ms=0.0)
    try:
        async with store.mining_turn(workspace, wait_s=wait_s):
            return await _mine(store, workspace, full=full, params=params, started=started)
    except StoreBusy as exc:
        raise Busy(
            f"The pattern library of workspace {workspace!r} is being mined by another pass that did "
            f"not finish within {wait_s:g} s. Retry in a few seconds."
        ) from exc


async def _mine(
    store: Store, workspace: str, *, full: bool, params: ClusterParams, started: float
) -> MiningReport:
    # Read again inside the turn: the pass that held it before may have mined these groups.
    groups = await store.signature_groups(workspace)
    if not full and all(group.mined for group in groups):
        return MiningReport(groups_mined=0, patterns_merged=0, duration_ms=_ms(started))
    plan = await anyio.to_thread.run_sync(lambda: plan_mining(groups, full=full, params=params))
    try:
        if plan.merges:
            await store.merge_patterns(workspace, plan.merges)
        if plan.mined:
            await store.mark_mined(workspace, plan.mined)
    except (NotFound, Conflict):
        # Patterns changed under the plan (a server without mining turns on the same database, or a
        # turn lost with its connection). The groups stay unmined, so the next pass compares them
        # again against the new state.
        return MiningReport(groups_mined=0, patterns_merged=0, duration_ms=_ms(started))
    absorbed = sum(len(merge.absorbed) for merge in plan.merges)
    return MiningReport(groups_mined=len(plan.mined), patterns_merged=absorbed, duration_ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
