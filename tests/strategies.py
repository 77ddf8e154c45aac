"""Hypothesis strategies shared by the test suite: hostile JSON, and arguments shaped by a JSON schema."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# Strings a JSON parser hands over that careless code trips on: lone surrogates (json.loads accepts
# "\ud800"), NUL and control characters, right-to-left marks, ids with the wrong shape, paths, SQL.
AWKWARD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "a\udfffb",
        "\u202eevil",
        "e-",
        "p-0",
        "p-99999999999999999999",
        "t--1",
        "../../etc/passwd",
        "'; DROP TABLE errors; --",
        "%s%n{0}",
        "null",
        "\n" * 50,
    ]
)

numbers = st.one_of(
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)

scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=40), AWKWARD_TEXT)

json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=10), children, max_size=5),
    ),
    max_leaves=15,
)
"""Any JSON value (and the NaN/Infinity that Python's and pydantic's JSON parsers also accept)."""


def big_text(max_chars: int) -> st.SearchStrategy[str]:
    """A long string built by repetition, so megabyte inputs cost nothing to generate."""
    return st.builds(
        lambda chunk, times: (chunk * times)[:max_chars],
        st.text(min_size=1, max_size=8),
        st.integers(1, max_chars),
    )


def value_for(schema: dict[str, Any], *, max_text: int = 2_000) -> st.SearchStrategy[Any]:
    """A value that usually fits `schema` (one JSON-schema property), with edge cases for its type."""
    if "anyOf" in schema:
        return st.one_of([value_for(option, max_text=max_text) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    if kind == "string":
        return st.one_of(st.text(max_size=200), AWKWARD_TEXT, big_text(max_text))
    if kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        edges = [v for v in (low, high) if v is not None]
        edges += [v + d for v in edges for d in (-1, 1)]
        return st.one_of(
            st.integers(min_value=low, max_value=high),
            st.sampled_from(edges or [0, -1, 2**63]),
            st.integers(),
        )
    if kind == "number":
        return st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers())
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        items = schema.get("items", {})
        return st.lists(value_for(items, max_text=max_text) if items else json_values, max_size=8)
    if kind == "object":
        return st.dictionaries(st.text(max_size=10), json_values, max_size=5)
    return json_values


def tool_arguments(
    input_schema: dict[str, Any], *, max_text: int = 2_000
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for a tool: its required properties (usually well-typed), some optional ones, rare strays.

    Mostly-plausible values get past the first validation and reach the domain code; the arbitrary JSON
    mixed in (a tenth of the time per field) checks that validation itself never breaks.
    """
    properties: dict[str, Any] = input_schema.get("properties", {})
    required = set(input_schema.get("required", []))
    defs = input_schema.get("$defs", {})

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        return defs.get(ref.rsplit("/", 1)[-1], schema) if ref else schema

    def field(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        plausible = value_for(resolve(schema), max_text=max_text)
        return st.one_of(*[plausible] * 9, json_values)

    known = st.fixed_dictionaries(
        {name: field(schema) for name, schema in properties.items() if name in required},
        optional={name: field(schema) for name, schema in properties.items() if name not in required},
    )
    strays = st.dictionaries(
        st.text(max_size=12).filter(lambda k: k not in properties), json_values, max_size=2
    )
    none: st.SearchStrategy[dict[str, Any]] = st.just({})
    return st.builds(lambda a, b: {**b, **a}, known, st.one_of(none, none, none, none, strays))
