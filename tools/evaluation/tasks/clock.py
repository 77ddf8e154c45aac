"""Convention family: timestamps are integer milliseconds, and their text form is the compact house format."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from .spec import Case, Family, Kind, TaskSpec

INTRO = (
    "This function belongs to the housekit project; its helper package `housekit` (with the module "
    "`housekit.clock`) is importable. Timestamps follow the project's clock conventions; all times are UTC."
)

KINDS = {
    "seconds_unit": Kind(
        rule="housekit timestamps are integer milliseconds since the Unix epoch (UTC): convert with "
        "`housekit.clock.MS_PER_SECOND` / `MS_PER_MINUTE` and never treat a timestamp as seconds.",
        keywords=("milliseconds since the unix epoch",),
        fix=("housekit.clock.MS_PER_SECOND",),
    ),
    "iso_text": Kind(
        rule="The text form of a housekit timestamp is `housekit.clock.STAMP_FORMAT` ('%Y%m%dT%H%M%SZ', e.g. "
        "20240305T102030Z); never ISO 8601 with dashes and colons.",
        keywords=("text form of a housekit timestamp",),
        fix=("housekit.clock.STAMP_FORMAT",),
    ),
}

TEXT_FORMAT = {None: "STAMP_FORMAT", "iso_text": '"%Y-%m-%dT%H:%M:%SZ"'}


def _moment(rng: random.Random) -> datetime:
    return datetime(
        rng.randint(1990, 2035), rng.randint(1, 12), rng.randint(1, 28),
        rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), tzinfo=UTC,
    )  # fmt: skip


def _ms(moment: datetime) -> int:
    return int(moment.timestamp()) * 1000


TO_STAMP = TaskSpec(
    name="to_stamp",
    entry_point="to_stamp",
    prompt="Write `to_stamp(year, month, day, hour, minute, second)` that returns the timestamp of that moment.",
    code="""
        from datetime import datetime, timezone

        from housekit.clock import MS_PER_SECOND


        def to_stamp(year, month, day, hour, minute, second):
            moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)
            return int(moment.timestamp())<<to_ms>>
    """,
    slots={"to_ms": {None: " * MS_PER_SECOND", "seconds_unit": ""}},
    params=lambda rng: {},
    cases=lambda rng, p: [
        Case((m.year, m.month, m.day, m.hour, m.minute, m.second)) for m in (_moment(rng) for _ in range(3))
    ],
)

FORMAT_STAMP = TaskSpec(
    name="format_stamp",
    entry_point="format_stamp",
    prompt="Write `format_stamp(stamp)` that returns the text form of the timestamp `stamp`.",
    code="""
        from datetime import datetime, timezone

        from housekit.clock import MS_PER_SECOND, STAMP_FORMAT


        def format_stamp(stamp):
            moment = datetime.fromtimestamp(<<from_ms>>, tz=timezone.utc)
            return moment.strftime(<<text_format>>)
    """,
    slots={"from_ms": {None: "stamp // MS_PER_SECOND", "seconds_unit": "stamp"}, "text_format": TEXT_FORMAT},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_ms(_moment(rng)) + rng.randint(0, 999),)) for _ in range(3)],
)

PARSE_STAMP = TaskSpec(
    name="parse_stamp",
    entry_point="parse_stamp",
    prompt="Write `parse_stamp(text)` that returns the timestamp whose text form is `text` (surrounding whitespace "
    "allowed).",
    code="""
        from datetime import datetime, timezone

        from housekit.clock import MS_PER_SECOND, STAMP_FORMAT


        def parse_stamp(text):
            moment = datetime.strptime(text.strip(), <<text_format>>).replace(tzinfo=timezone.utc)
            return int(moment.timestamp())<<to_ms>>
    """,
    slots={"text_format": TEXT_FORMAT, "to_ms": {None: " * MS_PER_SECOND", "seconds_unit": ""}},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_moment(rng).strftime("%Y%m%dT%H%M%SZ"),)) for _ in range(3)],
)

SHIFT_STAMP = TaskSpec(
    name="shift_stamp",
    entry_point="shift_stamp",
    prompt="Write `shift_stamp(stamp, minutes)` that returns the timestamp `minutes` minutes after `stamp` "
    "(`minutes` may be negative).",
    code="""
        from housekit.clock import MS_PER_MINUTE


        def shift_stamp(stamp, minutes):
            return stamp + minutes * <<per_minute>>
    """,
    slots={"per_minute": {None: "MS_PER_MINUTE", "seconds_unit": "60"}},
    params=lambda rng: {},
    cases=lambda rng, p: [Case((_ms(_moment(rng)), rng.choice([-90, -1, 5, 30, 1440]))) for _ in range(3)],
)

FAMILY = Family(
    name="clock",
    title="House clock conventions (millisecond timestamps, compact text form)",
    convention=True,
    kinds=KINDS,
    tasks=(TO_STAMP, FORMAT_STAMP, PARSE_STAMP, SHIFT_STAMP),
    intro=INTRO,
    preamble_modules=("housekit.clock",),
)
