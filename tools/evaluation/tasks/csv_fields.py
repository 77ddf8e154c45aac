"""Generic family: CSV lines (quoted fields holding commas, blank lines)."""

from __future__ import annotations

import random

from .inputs import NAMES, WORDS
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "naive_split": Kind(
        rule="Parse CSV lines with the csv module (`next(csv.reader([line]))`), never with `line.split(',')`: "
        "quoted fields may contain commas and doubled quotes.",
        keywords=("quoted fields",),
        fix=("csv.reader",),
    ),
    "blank_lines": Kind(
        rule="Skip blank lines (empty or only whitespace) in CSV input before parsing rows: "
        "`if not line.strip(): continue`.",
        keywords=("blank lines",),
        fix=("if not line.strip()",),
    ),
}

FIELDS = {None: "fields = next(csv.reader([line]))", "naive_split": 'fields = line.split(",")'}
BLANK = {None: "if not line.strip():\n    continue", "blank_lines": ""}


def _row(rng: random.Random) -> str:
    city = f'"{rng.choice(WORDS).title()}, {rng.choice(["NY", "CA", "TX"])}"'
    cells = [rng.choice(NAMES), city, str(rng.randint(1, 99)), f'"say ""{rng.choice(WORDS)}"""']
    return ",".join(cells)


def _lines(rng: random.Random, header: bool = False) -> list[str]:
    lines = [_row(rng) for _ in range(3)]
    lines.insert(rng.randint(1, 3), rng.choice(["", "   "]))
    return (["name,city,age,quote"] if header else []) + lines


PARSE_ROW = TaskSpec(
    name="parse_row",
    entry_point="parse_row",
    prompt="Write `parse_row(line: str) -> list[str]` that splits one line of standard CSV (comma-separated, "
    "fields may be quoted with double quotes, a doubled quote inside quotes is a literal quote) into its fields.",
    code="""
        import csv


        def parse_row(line):
            <<fields>>
            return fields
    """,
    slots={"fields": FIELDS},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_row(rng),)) for _ in range(3)],
)

COLUMN = TaskSpec(
    name="column",
    entry_point="column",
    prompt="Write `column(lines: list[str], index: int) -> list[str]` that returns field number `index` (from 0) "
    "of every row in `lines`, a list of standard CSV lines (quoted fields may contain commas). Lines that are "
    "empty or only whitespace are not rows.",
    code="""
        import csv


        def column(lines, index):
            values = []
            for line in lines:
                <<blank>>
                <<fields>>
                values.append(fields[index])
            return values
    """,
    slots={"blank": BLANK, "fields": FIELDS},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_lines(rng), i)) for i in (2, 3)],
)

FIELD_COUNTS = TaskSpec(
    name="field_counts",
    entry_point="field_counts",
    prompt="Write `field_counts(lines: list[str]) -> list[int]` that returns the number of fields of every row in "
    "`lines`, a list of standard CSV lines (quoted fields may contain commas). Lines that are empty or only "
    "whitespace are not rows.",
    code="""
        import csv


        def field_counts(lines):
            counts = []
            for line in lines:
                <<blank>>
                <<fields>>
                counts.append(len(fields))
            return counts
    """,
    slots={"blank": BLANK, "fields": FIELDS},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_lines(rng),)) for _ in range(2)],
)

ROWS_TO_DICTS = TaskSpec(
    name="rows_to_dicts",
    entry_point="rows_to_dicts",
    prompt="Write `rows_to_dicts(lines: list[str]) -> list[dict[str, str]]` for standard CSV lines (quoted fields "
    "may contain commas) whose first row is the header: return one dict per following row mapping header names "
    "to fields. Lines that are empty or only whitespace are not rows.",
    code="""
        import csv


        def rows_to_dicts(lines):
            header = None
            rows = []
            for line in lines:
                <<blank>>
                <<fields>>
                if header is None:
                    header = fields
                else:
                    rows.append(dict(zip(header, fields, strict=True)))
            return rows
    """,
    slots={"blank": BLANK, "fields": FIELDS},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_lines(rng, header=True),)) for _ in range(2)],
)

FAMILY = Family(
    name="csv_fields",
    title="CSV parsing (quoted fields, blank lines)",
    convention=False,
    kinds=KINDS,
    tasks=(PARSE_ROW, COLUMN, FIELD_COUNTS, ROWS_TO_DICTS),
)
