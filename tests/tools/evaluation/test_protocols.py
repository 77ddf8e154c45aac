from __future__ import annotations

from tools.evaluation.protocols import corrupt, corrupt_code, count_rules, placebo, rule_blocks
from tools.evaluation.tasks import all_kinds

LEARNED = "## Protocol\n\n" + "\n".join(f"- {kind.rule}" for kind in list(all_kinds().values())[:6]) + "\n"


def test_placebo_matches_the_learned_protocols_length_and_rule_count() -> None:
    fake = placebo(LEARNED, seed=3)
    assert count_rules(fake) >= count_rules(LEARNED) == 6
    assert 0.9 * len(LEARNED) <= len(fake) <= 1.35 * len(LEARNED)


def test_placebo_of_an_empty_protocol_is_empty() -> None:
    assert placebo("", seed=1) == ""
    assert corrupt("") == ""


def test_placebo_grows_past_the_bank_for_very_long_protocols() -> None:
    long = LEARNED * 12
    assert len(placebo(long, seed=0)) >= len(long)


def test_placebo_is_reproducible_for_a_seed_and_varies_between_seeds() -> None:
    assert placebo(LEARNED, seed=4) == placebo(LEARNED, seed=4)
    assert len({placebo(LEARNED, seed=s) for s in range(5)}) > 1


def test_corruption_keeps_the_wording_but_breaks_code_and_polarity() -> None:
    text = "- Never call `housekit.api.ok(data)` with `reverse=True`; use `range(start, end + 1)`."
    broken = corrupt(text)
    assert broken.startswith("- Always call")
    assert "`housekit.api.legacy_ok(data)`" in broken
    assert "`reverse=False`" in broken and "`range(start, end - 1)`" in broken


def test_corrupt_code_always_changes_the_fragment() -> None:
    for fragment in ["x", ";", "\\", "0.0", "MS_PER_SECOND", "a == b", "key in mapping", "list(items)", ":="]:
        assert corrupt_code(fragment) != fragment


def test_corruption_reaches_fenced_examples() -> None:
    text = "- Use the helper:\n```python\nreturn ok(data)\n```\n"
    assert "legacy_ok(data)" in corrupt(text)


def test_rule_blocks_split_bullets_paragraphs_and_headings() -> None:
    text = "# Rules\n\n- first rule\n  continues here\n- second\n\nA paragraph\nof two lines\n1. numbered"
    assert list(rule_blocks(text)) == [
        "# Rules",
        "- first rule\n  continues here",
        "- second",
        "A paragraph\nof two lines",
        "1. numbered",
    ]
    assert count_rules(text) == 3
