"""Convention family: money is integer cents, and fractional cents round half-even with the house helper."""

from __future__ import annotations

import random

from .inputs import find
from .spec import Case, Family, Kind, TaskSpec

INTRO = (
    "This function belongs to the housekit project; its helper package `housekit` (with the module "
    "`housekit.money`) is importable. Follow the project's conventions for money amounts."
)

KINDS = {
    "float_amount": Kind(
        rule="Money amounts are integer cents (`int`) in inputs and results; never convert to dollars and never "
        "return a float.",
        keywords=("integer cents",),
        fix=("`int`",),
    ),
    "half_up": Kind(
        rule="Round fractional cents with `housekit.money.round_half_even(numerator, denominator)` (ties go to the "
        "even cent); never use round() on floats or add-half-then-floor.",
        keywords=("fractional cents",),
        fix=("housekit.money.round_half_even",),
    ),
}


def _rounding(numerator: str, denominator: str) -> dict[str | None, str]:
    return {
        None: f"return round_half_even({numerator}, {denominator})",
        "float_amount": f"return round({numerator} / {denominator}) / 100",
        "half_up": f"return ({numerator} + {denominator} // 2) // {denominator}",
    }


def _tie(numerator: int, denominator: int) -> bool:
    """True when half-up and half-even rounding disagree (an exact half with an even quotient)."""
    quotient, remainder = divmod(numerator, denominator)
    return 2 * remainder == denominator and quotient % 2 == 0


def _discount_cases(rng: random.Random, p: dict) -> list[Case]:
    def make(r: random.Random) -> tuple[int, int]:
        return r.randint(100, 99_999), r.choice([5, 10, 15, 25, 30, 50])

    tie = find(rng, make, lambda c: _tie(c[0] * (100 - c[1]), 100))
    return [Case(tie)] + [Case(make(rng)) for _ in range(3)]


APPLY_DISCOUNT = TaskSpec(
    name="apply_discount",
    entry_point="apply_discount",
    prompt="Write `apply_discount(price, percent)` that returns `price` reduced by `percent` per cent (a whole "
    "number from 0 to 100). `price` is a money amount.",
    code="""
        from housekit.money import round_half_even


        def apply_discount(price, percent):
            <<rounding>>
    """,
    slots={"rounding": _rounding("price * (100 - percent)", "100")},
    params=lambda rng: {},
    cases=_discount_cases,
)


def _tax_cases(rng: random.Random, p: dict) -> list[Case]:
    def make(r: random.Random) -> tuple[int, int]:
        return r.randint(100, 50_000), p["rate"]

    tie = find(rng, make, lambda c: _tie(c[0] * (1000 + c[1]), 1000))
    return [Case(tie)] + [Case(make(rng)) for _ in range(3)]


ADD_TAX = TaskSpec(
    name="add_tax",
    entry_point="add_tax",
    prompt="Write `add_tax(net, rate_permille)` that returns the gross amount for the net amount `net` when tax is "
    "`rate_permille` per thousand (for example $rate for $percent%). `net` and the result are money amounts.",
    code="""
        from housekit.money import round_half_even


        def add_tax(net, rate_permille):
            <<rounding>>
    """,
    slots={"rounding": _rounding("net * (1000 + rate_permille)", "1000")},
    params=lambda rng: (lambda rate: {"rate": rate, "percent": f"{rate / 10:g}"})(
        rng.choice([70, 90, 150, 190, 210, 250])
    ),
    cases=_tax_cases,
)


def _unit_cases(rng: random.Random, p: dict) -> list[Case]:
    def make(r: random.Random) -> tuple[int, int]:
        return r.randint(50, 20_000), r.choice([2, 4, 6, 8, 12])

    tie = find(rng, make, lambda c: _tie(c[0], c[1]))
    return [Case(tie)] + [Case(make(rng)) for _ in range(3)]


UNIT_PRICE = TaskSpec(
    name="unit_price",
    entry_point="unit_price",
    prompt="Write `unit_price(total, quantity)` that returns the price of one unit when `quantity` units (a "
    "positive whole number) cost `total`. `total` and the result are money amounts.",
    code="""
        from housekit.money import round_half_even


        def unit_price(total, quantity):
            <<rounding>>
    """,
    slots={"rounding": _rounding("total", "quantity")},
    params=lambda rng: {},
    cases=_unit_cases,
)


def _average_cases(rng: random.Random, p: dict) -> list[Case]:
    def make(r: random.Random) -> tuple[list[int]]:
        return ([r.randint(100, 9_999) for _ in range(r.choice([2, 4, 6]))],)

    tie = find(rng, make, lambda c: _tie(sum(c[0]), len(c[0])))
    return [Case(tie)] + [Case(make(rng)) for _ in range(3)]


AVERAGE_PRICE = TaskSpec(
    name="average_price",
    entry_point="average_price",
    prompt="Write `average_price(prices)` that returns the average of a non-empty list of prices. The prices and "
    "the result are money amounts.",
    code="""
        from housekit.money import round_half_even


        def average_price(prices):
            <<rounding>>
    """,
    slots={"rounding": _rounding("sum(prices)", "len(prices)")},
    params=lambda rng: {},
    cases=_average_cases,
)

FAMILY = Family(
    name="money",
    title="Money helper API (integer cents, housekit.money.round_half_even)",
    convention=True,
    kinds=KINDS,
    tasks=(APPLY_DISCOUNT, ADD_TAX, UNIT_PRICE, AVERAGE_PRICE),
    intro=INTRO,
    preamble_modules=("housekit.money",),
)
