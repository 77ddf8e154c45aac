"""Convention family: public functions answer with the project's result envelopes, never bare values."""

from __future__ import annotations

import random

from .inputs import NAMES, WORDS
from .spec import Case, Family, Kind, TaskSpec

INTRO = (
    "This function is part of the public API of the housekit project; its helper package `housekit` (with the "
    "module `housekit.api`) is importable. Return results and report failures the way the project's public "
    "functions do."
)

KINDS = {
    "bare_result": Kind(
        rule="Public housekit functions return a result envelope: on success `housekit.api.ok(data)` "
        "(`{'ok': True, 'data': data}`), never the bare value.",
        keywords=("result envelope",),
        fix=("housekit.api.ok",),
    ),
    "raised_failure": Kind(
        rule="Expected failures of public housekit functions (missing item, invalid input) are returned as "
        "`housekit.api.fail(code, message)` with code 'not_found' or 'invalid'; never raise and never let a "
        "KeyError, ValueError or ZeroDivisionError escape.",
        keywords=("expected failures",),
        fix=("housekit.api.fail",),
    ),
}


def _users(rng: random.Random) -> list[dict]:
    names = rng.sample(NAMES, 4)
    ids = rng.sample(range(1, 500), 4)
    return [{"id": i, "name": n} for i, n in zip(ids, names, strict=True)]


def _user_cases(rng: random.Random, p: dict) -> list[Case]:
    users = _users(rng)
    missing = next(i for i in range(500, 1000) if rng.random() < 0.1)
    return [Case((users, rng.choice(users)["id"])), Case((users, missing)), Case((users, users[-1]["id"]))]


FIND_USER = TaskSpec(
    name="find_user",
    entry_point="find_user",
    prompt="Write `find_user(users, user_id)` that looks up the user with the given id in `users` (a list of dicts "
    "with keys 'id' and 'name') and gives back that user's name. When no user has that id it is a 'not_found' "
    "failure with the message 'no user <user_id>' (for example 'no user 7').",
    code="""
        from housekit.api import fail, ok


        def find_user(users, user_id):
            for user in users:
                if user["id"] == user_id:
                    <<success>>
            <<failure>>
    """,
    slots={
        "success": {None: 'return ok(user["name"])', "bare_result": 'return user["name"]'},
        "failure": {
            None: 'return fail("not_found", f"no user {user_id}")',
            "raised_failure": 'raise KeyError(f"no user {user_id}")',
        },
    },
    params=lambda rng: {},
    cases=_user_cases,
)


def _ratio_cases(rng: random.Random, p: dict) -> list[Case]:
    return [Case((rng.randint(-50, 200), rng.randint(1, 30))), Case((rng.randint(1, 99), 0)), Case((0, 7))]


SAFE_RATIO = TaskSpec(
    name="safe_ratio",
    entry_point="safe_ratio",
    prompt="Write `safe_ratio(a, b)` that gives back a / b rounded to 4 decimal places. Division by zero is an "
    "'invalid' failure with the message 'b must not be zero'.",
    code="""
        from housekit.api import fail, ok


        def safe_ratio(a, b):
            <<failure>>
            <<success>>
    """,
    slots={
        "failure": {
            None: 'if b == 0:\n    return fail("invalid", "b must not be zero")',
            "raised_failure": "",
        },
        "success": {None: "return ok(round(a / b, 4))", "bare_result": "return round(a / b, 4)"},
    },
    params=lambda rng: {},
    cases=_ratio_cases,
)


def _stock_cases(rng: random.Random, p: dict) -> list[Case]:
    skus = rng.sample(WORDS, 4)
    inventory = {s.upper(): rng.randint(0, 40) for s in skus[:3]}
    return [
        Case((inventory, skus[0].upper())),
        Case((inventory, skus[3].upper())),
        Case((inventory, skus[2].upper())),
    ]


STOCK_LEVEL = TaskSpec(
    name="stock_level",
    entry_point="stock_level",
    prompt="Write `stock_level(inventory, sku)` that gives back how many units of `sku` the dict `inventory` "
    "(sku -> count) holds. An sku that is not in the inventory is a 'not_found' failure with the message "
    "'unknown sku <sku>'.",
    code="""
        from housekit.api import fail, ok


        def stock_level(inventory, sku):
            <<failure>>
            <<success>>
    """,
    slots={
        "failure": {
            None: 'if sku not in inventory:\n    return fail("not_found", f"unknown sku {sku}")',
            "raised_failure": "",
        },
        "success": {None: "return ok(inventory[sku])", "bare_result": "return inventory[sku]"},
    },
    params=lambda rng: {},
    cases=_stock_cases,
)


def _quantity_cases(rng: random.Random, p: dict) -> list[Case]:
    good = [str(rng.randint(0, 500)), f" {rng.randint(1, 99)} "]
    bad = [rng.choice(["ten", "3.5", "", "x1"]), rng.choice(["-4", "+7", "1e3"])]
    return [Case((t,)) for t in good + bad]


PARSE_QUANTITY = TaskSpec(
    name="parse_quantity",
    entry_point="parse_quantity",
    prompt="Write `parse_quantity(text)` that gives back the whole number of items written in `text` (digits "
    "only, surrounding whitespace allowed). Any other text is an 'invalid' failure with the message "
    '"not a quantity: <repr of text>" (for example "not a quantity: \'ten\'").',
    code="""
        from housekit.api import fail, ok


        def parse_quantity(text):
            cleaned = text.strip()
            <<failure>>
            <<success>>
    """,
    slots={
        "failure": {
            None: 'if not cleaned.isdigit():\n    return fail("invalid", f"not a quantity: {text!r}")',
            "raised_failure": 'if not cleaned.isdigit():\n    raise ValueError(f"not a quantity: {text!r}")',
        },
        "success": {None: "return ok(int(cleaned))", "bare_result": "return int(cleaned)"},
    },
    params=lambda rng: {},
    cases=_quantity_cases,
)

FAMILY = Family(
    name="envelopes",
    title="Result envelopes of the public API (housekit.api.ok / fail)",
    convention=True,
    kinds=KINDS,
    tasks=(FIND_USER, SAFE_RATIO, STOCK_LEVEL, PARSE_QUANTITY),
    intro=INTRO,
    preamble_modules=("housekit.api",),
)
