"""Generic family: optional keys (KeyError on a missing key, `or` swallowing falsy values)."""

from __future__ import annotations

import random

from .inputs import NAMES, WORDS
from .spec import Case, Family, Kind, TaskSpec

KINDS = {
    "missing_key": Kind(
        rule="A missing key is normal input, not a crash: check `key in mapping` or use `.get(key, default)` "
        "instead of indexing, so no KeyError escapes.",
        keywords=("missing key",),
        fix=(".get(key, default)",),
    ),
    "falsy_default": Kind(
        rule="Fall back to the default only when the key is absent (`key in mapping`), never with `or`: 0, '' and "
        "False are real values that must be kept.",
        keywords=("fall back to the default",),
        fix=("key in mapping",),
    ),
}


def _setting_cases(rng: random.Random, p: dict) -> list[Case]:
    keys = rng.sample(WORDS, 4)
    settings = {keys[0]: rng.randint(1, 9), keys[1]: 0, keys[2]: ""}
    default = rng.choice([5, "auto", True])
    return [
        Case((settings, keys[0], default)),
        Case((settings, keys[1], default)),
        Case((settings, keys[3], default)),
    ]


GET_SETTING = TaskSpec(
    name="get_setting",
    entry_point="get_setting",
    prompt="Write `get_setting(settings: dict, key: str, default)` that returns the value stored under `key`, or "
    "`default` when `settings` has no such key. Stored values such as 0 or '' are valid settings.",
    code="""
        def get_setting(settings, key, default):
            <<lookup>>
    """,
    slots={
        "lookup": {
            None: "return settings[key] if key in settings else default",
            "missing_key": "return settings[key]",
            "falsy_default": "return settings.get(key) or default",
        }
    },
    params=lambda rng: {},
    cases=_setting_cases,
)


def _stock_cases(rng: random.Random, p: dict) -> list[Case]:
    items = rng.sample(WORDS, 5)
    inventory = {item: rng.randint(0, 20) for item in items[:3]}
    return [Case((inventory, [items[0], items[3], items[1]])), Case((inventory, [items[2], items[4]]))]


TOTAL_STOCK = TaskSpec(
    name="total_stock",
    entry_point="total_stock",
    prompt="Write `total_stock(inventory: dict[str, int], names: list[str]) -> int` that returns the total count "
    "of the named items; an item that is not in `inventory` counts as 0.",
    code="""
        def total_stock(inventory, names):
            <<total>>
    """,
    slots={
        "total": {
            None: "return sum(inventory.get(name, 0) for name in names)",
            "missing_key": "return sum(inventory[name] for name in names)",
        }
    },
    params=lambda rng: {},
    cases=_stock_cases,
)


def _resolve_cases(rng: random.Random, p: dict) -> list[Case]:
    a, b, c, d = rng.sample(WORDS, 4)
    config = {a: {b: {c: rng.randint(1, 9), d: 0}}, d: False}
    default = rng.choice([-1, "unset"])
    return [
        Case((config, f"{a}.{b}.{c}", default)),
        Case((config, f"{a}.{b}.{d}", default)),
        Case((config, f"{a}.{c}.{b}", default)),
        Case((config, d, default)),
    ]


RESOLVE = TaskSpec(
    name="resolve",
    entry_point="resolve",
    prompt="Write `resolve(config: dict, path: str, default)` that follows the dotted `path` ('a.b.c' means "
    "config['a']['b']['c']) through nested dicts and returns the value found, or `default` when some step is "
    "missing or not a dict. Values such as 0 or False are valid results.",
    code="""
        def resolve(config, path, default):
            node = config
            for part in path.split("."):
                <<step>>
            return node
    """,
    slots={
        "step": {
            None: "if not isinstance(node, dict) or part not in node:\n    return default\nnode = node[part]",
            "missing_key": "node = node[part]",
            "falsy_default": "node = node.get(part) if isinstance(node, dict) else None\nif not node:\n    return default",
        }
    },
    params=lambda rng: {},
    cases=_resolve_cases,
)


def _limit_cases(rng: random.Random, p: dict) -> list[Case]:
    users = rng.sample(NAMES, 3)
    limits = {users[0]: rng.randint(5, 50), users[1]: 0}
    default = rng.randint(60, 100)
    return [
        Case((limits, users[0], default)),
        Case((limits, users[1], default)),
        Case((limits, users[2], default)),
    ]


EFFECTIVE_LIMIT = TaskSpec(
    name="effective_limit",
    entry_point="effective_limit",
    prompt="Write `effective_limit(limits: dict[str, int], user: str, default_limit: int) -> int` that returns "
    "the user's own limit from `limits`, or `default_limit` for a user without one. A limit of 0 (a blocked "
    "user) is a real limit.",
    code="""
        def effective_limit(limits, user, default_limit):
            <<lookup>>
    """,
    slots={
        "lookup": {
            None: "return limits[user] if user in limits else default_limit",
            "missing_key": "return limits[user]",
            "falsy_default": "return limits.get(user) or default_limit",
        }
    },
    params=lambda rng: {},
    cases=_limit_cases,
)

FAMILY = Family(
    name="lookups",
    title="Optional keys (missing keys, falsy values)",
    convention=False,
    kinds=KINDS,
    tasks=(GET_SETTING, TOTAL_STOCK, RESOLVE, EFFECTIVE_LIMIT),
)
