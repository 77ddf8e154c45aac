"""Convention family: the project's own record format, whose comment and continuation rules are unwritten."""

from __future__ import annotations

import random

from .inputs import WORDS
from .spec import Case, Family, Kind, TaskSpec

INTRO = (
    "This function belongs to the housekit project and reads housekit record text (the project's `.hkr` "
    "format): one `key := value` entry per line, keys and values stripped of surrounding whitespace, blank "
    "lines ignored, a later entry for the same key replacing an earlier one. Follow the project's record format."
)

KINDS = {
    "comment_lines": Kind(
        rule="In housekit record text a line whose first non-blank character is `;` is a comment line and must be "
        "skipped, even when it contains `:=`.",
        keywords=("comment line",),
        fix=(";",),
    ),
    "continuation": Kind(
        rule="In housekit record text a line ending with a backslash continues on the next line: drop the `\\`, "
        "strip both parts and join them with a single space before splitting on `:=`.",
        keywords=("ending with a backslash",),
        fix=("\\",),
    ),
}

ENTRIES = """
    def _entries(text):
        entries = []
        pending = ""
        for raw in text.splitlines():
            line = raw.strip()
            <<continuation>>
            if not line<<comments>>:
                continue
            key, sep, value = line.partition(":=")
            if sep:
                entries.append((key.strip(), value.strip()))
        return entries
"""

SLOTS = {
    "continuation": {
        None: """
            if pending:
                line = (pending + " " + line).strip()
                pending = ""
            if line.endswith("\\\\"):
                pending = line[:-1].strip()
                continue
        """,
        "continuation": "",
    },
    "comments": {None: ' or line.startswith(";")', "comment_lines": ""},
}


def record_text(rng: random.Random) -> str:
    """A record with a comment line holding `:=` and a continued value whose next line also holds `:=`."""
    keys = rng.sample(WORDS, 6)
    lines = [f"{keys[0]} := {rng.randint(1, 99)}", f"; {keys[1]} := disabled", ""]
    lines += [f"{keys[2]} :=  {rng.choice(WORDS)} \\", f"   {keys[5]} := {rng.choice(WORDS)}"]
    lines += [
        f"  {keys[3]}:={rng.choice(WORDS)}",
        f";{keys[0]} := {rng.randint(100, 200)}",
        f"{keys[4]} := x",
    ]
    return "\n".join(lines) + "\n"


def _spec(name: str, prompt: str, body: str) -> TaskSpec:
    return TaskSpec(
        name=name,
        entry_point=name,
        prompt=prompt,
        code=ENTRIES.rstrip() + "\n\n\n" + body.strip("\n"),
        slots=SLOTS,
        params=lambda rng: {},
        cases=lambda rng, p: [Case((record_text(rng),)) for _ in range(3)],
    )


PARSE_RECORD = _spec(
    "parse_record",
    "Write `parse_record(text: str) -> dict[str, str]` that returns the entries of the record `text` as a dict.",
    """
    def parse_record(text):
        return dict(_entries(text))
    """,
)
RECORD_KEYS = _spec(
    "record_keys",
    "Write `record_keys(text: str) -> list[str]` that returns the keys of the record `text` in sorted order, "
    "each key once.",
    """
    def record_keys(text):
        return sorted({key for key, _ in _entries(text)})
    """,
)
RECORD_VALUES = _spec(
    "record_values",
    "Write `record_values(text: str) -> list[str]` that returns the values of the entries of the record `text` "
    "in the order the entries appear (all entries, including ones a later entry replaces).",
    """
    def record_values(text):
        return [value for _, value in _entries(text)]
    """,
)
COUNT_ENTRIES = _spec(
    "count_entries",
    "Write `count_entries(text: str) -> int` that returns how many entries the record `text` contains (count "
    "every entry, including ones a later entry replaces).",
    """
    def count_entries(text):
        return len(_entries(text))
    """,
)

FAMILY = Family(
    name="records",
    title="House record format (.hkr: ';' comments, '\\' continuations)",
    convention=True,
    kinds=KINDS,
    tasks=(PARSE_RECORD, RECORD_KEYS, RECORD_VALUES, COUNT_ENTRIES),
    intro=INTRO,
)
