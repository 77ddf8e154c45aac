"""Contract: listing, paging, merging and updating patterns; fingerprint groups; the library version."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store import NotFound, PatternMerge, Store

from .helpers import new_error

pytestmark = pytest.mark.anyio

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


async def tasks(store: Store, count: int) -> list[str]:
    return [(await store.create_task("ws", f"task {n}", domain="python")).task_id for n in range(count)]


async def test_patterns_are_listed_most_frequent_first_then_most_recent(store: Store) -> None:
    await store.add_errors("ws", [new_error("v1:rare", created_at=T0)])
    await store.add_errors("ws", [new_error("v1:old", created_at=T0)] * 2)
    await store.add_errors("ws", [new_error("v1:new", created_at=T0 + timedelta(hours=1))] * 2)
    await store.add_errors("ws", [new_error("v1:top", created_at=T0)] * 5)

    page = await store.list_patterns("ws")

    assert [(p.frequency, p.examples[0].fingerprint) for p in page.patterns] == [
        (5, "v1:top"),
        (2, "v1:new"),
        (2, "v1:old"),
        (1, "v1:rare"),
    ]
    assert (page.total, page.next_cursor) == (4, None)


async def test_a_cursor_pages_through_every_pattern_once(store: Store) -> None:
    # Ties in frequency and time, so the id tie-break must carry the cursor.
    await store.add_errors(
        "ws", [new_error(f"v1:{n}", created_at=T0) for n in range(23) for _ in range(n % 3 + 1)]
    )

    seen, cursor, pages = [], None, 0
    while True:
        page = await store.list_patterns("ws", limit=5, cursor=cursor)
        assert page.total == 23 and len(page.patterns) <= 5
        seen += [p.pattern_id for p in page.patterns]
        pages += 1
        if page.next_cursor is None:
            break
        cursor = page.next_cursor

    assert pages == 5
    assert sorted(seen) == sorted(await store.pattern_ids("ws")) and len(set(seen)) == 23
    everything = (await store.list_patterns("ws", limit=100)).patterns
    assert seen == [p.pattern_id for p in everything]


@pytest.mark.parametrize("cursor", ["nonsense", "", "W10", "eyJhIjogMX0"])
async def test_a_cursor_that_list_patterns_did_not_make_raises_not_found(store: Store, cursor: str) -> None:
    with pytest.raises(NotFound, match="cursor"):
        await store.list_patterns("ws", cursor=cursor)


async def test_list_patterns_filters_by_category_frequency_time_and_status(store: Store) -> None:
    one, two = await tasks(store, 2)
    await store.add_errors(
        "ws",
        [
            new_error("v1:index", category="runtime.index", created_at=T0, task_id=one),
            new_error("v1:index", category="runtime.index", created_at=T0, task_id=two),
            new_error("v1:runtime", category="runtime", created_at=T0 + timedelta(days=2)),
            new_error("v1:runtimes", category="runtimes.other", created_at=T0),
            new_error("v1:wild", category="logic_x%y", created_at=T0),
            new_error("v1:wild2", category="logicAxBy", created_at=T0),
        ],
    )

    async def fingerprints(**filters: object) -> set[str]:
        page = await store.list_patterns("ws", **filters)  # type: ignore[arg-type]
        assert page.total == len(page.patterns)
        return {p.examples[0].fingerprint for p in page.patterns}

    assert await fingerprints(category="runtime") == {"v1:index", "v1:runtime"}
    assert await fingerprints(category="runtime.") == {"v1:index", "v1:runtime"}
    assert await fingerprints(category="runtime.index") == {"v1:index"}
    assert await fingerprints(category="logic_x%y") == {"v1:wild"}
    assert await fingerprints(category="%" * 100_000) == set()  # any string, of any length
    assert len((await store.list_patterns("ws", limit=2**63 - 1)).patterns) == 5
    assert await fingerprints(min_frequency=2) == {"v1:index"}
    assert await fingerprints(since=T0 + timedelta(days=1)) == {"v1:runtime"}
    assert await fingerprints(status="confirmed") == {"v1:index"}
    assert await fingerprints(status="emerging") == {"v1:runtime", "v1:runtimes", "v1:wild", "v1:wild2"}
    assert await fingerprints(category="runtime", status="emerging") == {"v1:runtime"}


async def test_examples_are_the_first_errors_of_the_three_biggest_groups(store: Store) -> None:
    firsts = {}
    for fingerprint, count in [("v1:a", 1), ("v1:b", 4), ("v1:c", 2), ("v1:d", 3)]:
        added = await store.add_errors("ws", [new_error(fingerprint)] * count)
        firsts[fingerprint] = added[0]
    into = firsts["v1:a"].pattern_id
    await store.merge_patterns(
        "ws", [PatternMerge(into=into, absorbed=[f.pattern_id for f in firsts.values()])]
    )

    pattern = await store.get_pattern("ws", into)
    [listed] = (await store.list_patterns("ws")).patterns

    assert [e.error_id for e in pattern.examples] == [firsts[fp].error_id for fp in ("v1:b", "v1:d", "v1:c")]
    assert listed.examples == pattern.examples
    assert {e.pattern_id for e in pattern.examples} == {into}


async def test_merging_redirects_absorbed_patterns_and_recomputes_counters_exactly(store: Store) -> None:
    one, two, three = await tasks(store, 3)
    a = await store.add_errors("ws", [new_error("v1:a", task_id=one, created_at=T0)] * 3)
    b = await store.add_errors("ws", [new_error("v1:b", task_id=one, created_at=T0 - timedelta(days=1))] * 2)
    c = await store.add_error("ws", new_error("v1:c", task_id=two, created_at=T0 + timedelta(days=1)))
    d = await store.add_error("ws", new_error("v1:d", task_id=three))
    version = await store.library_version("ws")

    await store.merge_patterns(
        "ws",
        [
            PatternMerge(
                into=a[0].pattern_id,
                absorbed=[b[0].pattern_id, c.pattern_id, a[0].pattern_id],
                title="Index past the end",
                signature="IndexError: list index out of range",
                cohesion=0.8,
            )
        ],
    )

    survivor = await store.get_pattern("ws", a[0].pattern_id)
    assert await store.get_pattern("ws", b[0].pattern_id) == survivor
    assert await store.get_pattern("ws", c.pattern_id) == survivor
    assert (survivor.frequency, survivor.fingerprints, survivor.distinct_tasks) == (6, 3, 2)
    assert (survivor.first_seen, survivor.last_seen) == (T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert (survivor.status, survivor.merged_into) == ("confirmed", None)
    assert (survivor.title, survivor.signature, survivor.cohesion) == (
        "Index past the end",
        "IndexError: list index out of range",
        0.8,
    )
    assert await store.pattern_ids("ws") == sorted([a[0].pattern_id, d.pattern_id], key=lambda p: int(p[2:]))
    assert await store.library_version("ws") > version
    merged = (await store.list_patterns("ws", status="merged")).patterns
    assert {(p.pattern_id, p.merged_into, p.status) for p in merged} == {
        (b[0].pattern_id, survivor.pattern_id, "merged"),
        (c.pattern_id, survivor.pattern_id, "merged"),
    }
    assert {g.pattern_id for g in await store.signature_groups("ws") if g.fingerprint != "v1:d"} == {
        survivor.pattern_id
    }

    later = await store.add_error("ws", new_error("v1:b", task_id=three))
    assert later.pattern_id == survivor.pattern_id and not later.new_fingerprint
    after = await store.get_pattern("ws", b[0].pattern_id)
    assert (after.frequency, after.distinct_tasks) == (7, 3)


async def test_merge_chains_redirect_to_the_final_survivor(store: Store) -> None:
    p1, p2, p3 = [(await store.add_error("ws", new_error(f"v1:{n}"))).pattern_id for n in range(3)]

    await store.merge_patterns("ws", [PatternMerge(into=p1, absorbed=[p2])])
    await store.merge_patterns("ws", [PatternMerge(into=p3, absorbed=[p1])])
    await store.merge_patterns("ws", [PatternMerge(into=p2, absorbed=[p3])])  # both resolve to p3: no-op

    for pattern_id in (p1, p2, p3):
        pattern = await store.get_pattern("ws", pattern_id)
        assert (pattern.pattern_id, pattern.frequency, pattern.fingerprints) == (p3, 3, 3)
    assert {p.merged_into for p in (await store.list_patterns("ws", status="merged")).patterns} == {p3}


async def test_a_merge_naming_an_unknown_pattern_changes_nothing(store: Store) -> None:
    p1, p2 = [(await store.add_error("ws", new_error(f"v1:{n}"))).pattern_id for n in range(2)]
    version = await store.library_version("ws")

    with pytest.raises(NotFound):
        await store.merge_patterns(
            "ws", [PatternMerge(into=p1, absorbed=[p2]), PatternMerge(into=p1, absorbed=["p-999"])]
        )

    assert await store.pattern_ids("ws") == [p1, p2]
    assert await store.library_version("ws") == version
    await store.merge_patterns("ws", [])


async def test_signature_groups_report_features_and_mining_state(store: Store) -> None:
    [task] = await tasks(store, 1)
    features = {"error_type": "KeyError", "frames": ["f: x[k]"], "template": "<str>"}
    await store.add_errors(
        "ws", [new_error("v1:a", features=features, task_id=task, title="KeyError in f")] * 2
    )
    await store.add_error("ws", new_error("v1:b", category="logic.assertion"))

    groups = await store.signature_groups("ws")
    assert [(g.fingerprint, g.count, g.distinct_tasks, g.mined) for g in groups] == [
        ("v1:a", 2, 1, False),
        ("v1:b", 1, 0, False),
    ]
    assert (groups[0].features, groups[0].title, groups[1].category) == (
        features,
        "KeyError in f",
        "logic.assertion",
    )

    await store.mark_mined("ws", ["v1:a", "v1:unknown"])
    await store.mark_mined("ws", [])
    assert [g.fingerprint for g in await store.signature_groups("ws", only_unmined=True)] == ["v1:b"]
    assert [g.mined for g in await store.signature_groups("ws")] == [True, False]


async def test_update_pattern_changes_text_and_bumps_the_version_only_on_change(store: Store) -> None:
    pattern_id = (await store.add_error("ws", new_error())).pattern_id
    version = await store.library_version("ws")

    await store.update_pattern("ws", pattern_id, title="Off by one", cohesion=0.5)
    updated = await store.get_pattern("ws", pattern_id)
    assert (updated.title, updated.cohesion, updated.signature) == ("Off by one", 0.5, "IndexError in v1:aaa")
    assert await store.library_version("ws") == version + 1

    await store.update_pattern("ws", pattern_id, title="Off by one")
    await store.update_pattern("ws", pattern_id)
    assert await store.library_version("ws") == version + 1

    await store.update_pattern("ws", pattern_id, signature="IndexError: <num>")
    assert (await store.get_pattern("ws", pattern_id)).signature == "IndexError: <num>"
    assert await store.library_version("ws") == version + 2


async def test_library_version_grows_with_every_pattern_change(store: Store) -> None:
    one, two = await tasks(store, 2)
    versions = [await store.library_version("ws")]
    a = await store.add_error("ws", new_error("v1:a", task_id=one))  # new pattern
    versions.append(await store.library_version("ws"))
    await store.add_error("ws", new_error("v1:a", task_id=one))  # same pattern, no status change
    versions.append(await store.library_version("ws"))
    await store.add_error("ws", new_error("v1:a", task_id=two))  # confirmed
    versions.append(await store.library_version("ws"))
    b = await store.add_error("ws", new_error("v1:b"))
    await store.merge_patterns("ws", [PatternMerge(into=a.pattern_id, absorbed=[b.pattern_id])])
    versions.append(await store.library_version("ws"))

    assert versions[0] == 0
    assert versions[1] > versions[0]
    assert versions[2] == versions[1]
    assert versions[3] > versions[2]
    assert versions[4] >= versions[3] + 2


@pytest.mark.parametrize("pattern_id", ["p-999", "p-x", "p-", "12", "e-1", ""])
async def test_pattern_methods_raise_not_found_for_unknown_and_malformed_ids(
    store: Store, pattern_id: str
) -> None:
    known = (await store.add_error("ws", new_error())).pattern_id

    with pytest.raises(NotFound):
        await store.get_pattern("ws", pattern_id)
    with pytest.raises(NotFound):
        await store.update_pattern("ws", pattern_id, title="x")
    with pytest.raises(NotFound):
        await store.merge_patterns("ws", [PatternMerge(into=pattern_id, absorbed=[known])])
    with pytest.raises(NotFound):
        await store.insight_for("ws", pattern_id)
    assert await store.pattern_ids("ws") == [known]
