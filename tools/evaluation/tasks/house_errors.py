"""Convention family: bad input is reported with the project's own exception, in the house format."""

from __future__ import annotations

import random

from .spec import Case, Family, Kind, TaskSpec

INTRO = (
    "This function belongs to the housekit project; its helper package `housekit` (with the module "
    "`housekit.errors`) is importable. Report invalid input the way the project does."
)

KINDS = {
    "builtin_exception": Kind(
        rule="Report invalid input by raising `housekit.errors.ValidationError`, never a built-in exception "
        "such as ValueError or TypeError.",
        keywords=("built-in exception",),
        fix=("housekit.errors.ValidationError",),
    ),
    "wrong_field": Kind(
        rule="The first argument of `ValidationError` is the name of the parameter that held the bad value, "
        "spelled as in the signature, and the second is that parameter's original value: "
        "`ValidationError('text', text)`.",
        keywords=("name of the parameter",),
        fix=("ValidationError('text', text)",),
    ),
}


def _raise(field: str, builtin: str, wrong_field: str) -> dict[str | None, str]:
    return {
        None: f"raise ValidationError({field!r}, {field})",
        "builtin_exception": f"raise ValueError(f{builtin!r})",
        "wrong_field": f"raise ValidationError({wrong_field!r}, {field})",
    }


def _port_cases(rng: random.Random, p: dict) -> list[Case]:
    top = p["max_port"]
    valid = [str(rng.randint(1, top)), f"  {rng.randint(1, top)} ", str(top)]
    invalid = ["0", str(top + rng.randint(1, 500)), rng.choice(["http", "8o80", "", "-22", "12.5"])]
    return [Case((v,)) for v in valid + invalid]


PARSE_PORT = TaskSpec(
    name="parse_port",
    entry_point="parse_port",
    prompt="Write `parse_port(text: str) -> int` that returns the TCP port number written in `text`. A port is "
    "a whole number from 1 to $max_port; surrounding whitespace is allowed. Anything else is invalid input.",
    code="""
        from housekit.errors import ValidationError


        def parse_port(text):
            stripped = text.strip()
            if not stripped.isdigit() or not 1 <= int(stripped) <= $max_port:
                <<invalid>>
            return int(stripped)
    """,
    slots={"invalid": _raise("text", "invalid port: {text!r}", "port")},
    params=lambda rng: {"max_port": rng.choice([65535, 49151, 32767])},
    cases=_port_cases,
)


def _percent_cases(rng: random.Random, p: dict) -> list[Case]:
    top = p["max_percent"]
    valid = [f"{rng.randint(0, top)}%", f" {rng.randint(0, top)} %", "0%"]
    invalid = [
        str(rng.randint(1, 99)),
        f"{top + rng.randint(1, 50)}%",
        rng.choice(["%", "ten%", "-5%", "4.5%"]),
    ]
    return [Case((v,)) for v in valid + invalid]


PARSE_PERCENTAGE = TaskSpec(
    name="parse_percentage",
    entry_point="parse_percentage",
    prompt="Write `parse_percentage(text: str) -> int` that parses a percentage such as '42%' or ' 7 %' into the "
    "integer 42 or 7. The '%' sign is required; the number must be a whole number from 0 to $max_percent; "
    "spaces around the number and the sign are allowed. Anything else is invalid input.",
    code="""
        from housekit.errors import ValidationError


        def parse_percentage(text):
            body = text.strip()
            if not body.endswith("%"):
                <<invalid>>
            number = body[:-1].strip()
            if not number.isdigit() or int(number) > $max_percent:
                <<invalid>>
            return int(number)
    """,
    slots={"invalid": _raise("text", "not a percentage: {text!r}", "percentage")},
    params=lambda rng: {"max_percent": rng.choice([100, 100, 200])},
    cases=_percent_cases,
)

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday_cases(rng: random.Random, p: dict) -> list[Case]:
    day = rng.choice(DAYS)
    valid = [day, rng.choice(DAYS)[:3].upper(), f" {rng.choice(DAYS).title()} "]
    invalid = [rng.choice(["mon day", "funday", "tues", ""]), rng.choice(["sundays", "wed.", "7"])]
    return [Case((v,)) for v in valid + invalid]


PARSE_WEEKDAY = TaskSpec(
    name="parse_weekday",
    entry_point="parse_weekday",
    prompt="Write `parse_weekday(name: str) -> int` that returns the number of an English weekday given by its "
    "full name or its three-letter abbreviation, case-insensitively and ignoring surrounding whitespace. "
    "Monday is $first, Tuesday $second, and so on up to Sunday. Any other name is invalid input.",
    code="""
        from housekit.errors import ValidationError

        DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


        def parse_weekday(name):
            key = name.strip().lower()
            for number, day in enumerate(DAYS, start=$first):
                if key in (day, day[:3]):
                    return number
            <<invalid>>
    """,
    slots={"invalid": _raise("name", "unknown weekday: {name!r}", "weekday")},
    params=lambda rng: (lambda first: {"first": first, "second": first + 1})(rng.choice([0, 1])),
    cases=_weekday_cases,
)


def _color_cases(rng: random.Random, p: dict) -> list[Case]:
    prefix = p["prefix"]

    def color() -> str:
        return "".join(rng.choice("0123456789abcdefABCDEF") for _ in range(6))

    valid = [prefix + color(), f" {prefix}{color()} "]
    invalid = [color(), prefix + color()[:5], prefix + "12345g", prefix + color() + "0"]
    return [Case((v,)) for v in valid + invalid]


PARSE_HEX_COLOR = TaskSpec(
    name="parse_hex_color",
    entry_point="parse_hex_color",
    prompt="Write `parse_hex_color(code: str) -> tuple[int, int, int]` that parses a colour written as '$prefix' "
    "followed by exactly six hexadecimal digits (any case, surrounding whitespace allowed) into its (red, green, "
    "blue) components. Anything else is invalid input.",
    code="""
        from housekit.errors import ValidationError


        def parse_hex_color(code):
            digits = code.strip().lower()
            if not digits.startswith($prefix) or len(digits) != len($prefix) + 6:
                <<invalid>>
            digits = digits[len($prefix):]
            if any(ch not in "0123456789abcdef" for ch in digits):
                <<invalid>>
            return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    """,
    slots={"invalid": _raise("code", "bad colour: {code!r}", "color")},
    params=lambda rng: {"prefix": rng.choice(["#", "0x"])},
    cases=_color_cases,
)

FAMILY = Family(
    name="house_errors",
    title="House error convention (housekit.errors.ValidationError)",
    convention=True,
    kinds=KINDS,
    tasks=(PARSE_PORT, PARSE_PERCENTAGE, PARSE_WEEKDAY, PARSE_HEX_COLOR),
    intro=INTRO,
    preamble_modules=("housekit.errors",),
)
