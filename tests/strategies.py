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


def public_ids(prefix: str) -> st.SearchStrategy[str]:
    """Ids shaped like the server's (``t-3``, ``p-12``): most name nothing, some may exist."""
    return st.builds(lambda n: f"{prefix}-{n}", st.integers(min_value=0, max_value=60))


def value_for(
    schema: dict[str, Any], *, name: str = "", max_text: int = 2_000, hostile: bool = True
) -> st.SearchStrategy[Any]:
    """A value for one JSON-schema property: fitting it when `hostile` is False, else also its edge cases
    (over-long strings, out-of-range numbers, NaN, awkward text).

    A property named ``*_id`` gets id-shaped strings (``t-3``), so calls get past the id check and reach
    the lookups behind it.
    """
    if "anyOf" in schema:
        return st.one_of(
            [value_for(o, name=name, max_text=max_text, hostile=hostile) for o in schema["anyOf"]]
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    kind = schema.get("type")
    edge: list[st.SearchStrategy[Any]] = []
    if kind == "string":
        if schema.get("format") == "date-time":
            fitting: st.SearchStrategy[Any] = st.datetimes().map(lambda d: d.isoformat())
            edge = [st.text(max_size=30)]
        elif name.endswith("_id"):
            fitting, edge = public_ids(name[0]), [AWKWARD_TEXT]
        else:
            longest = min(schema.get("maxLength", max_text), max_text)
            fitting = st.text(min_size=schema.get("minLength", 0), max_size=min(longest, 200))
            edge = [AWKWARD_TEXT, big_text(longest), big_text(longest + 50)]
    elif kind == "integer":
        low, high = schema.get("minimum"), schema.get("maximum")
        fitting = st.integers(min_value=low, max_value=high)
        bounds = [v for v in (low, high) if v is not None]
        edge = [st.sampled_from([v + d for v in bounds for d in (-1, 1)] or [-1, 2**63]), st.integers()]
    elif kind == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        fitting = st.floats(min_value=low, max_value=high, allow_nan=False)
        edge = [st.floats(allow_nan=True, allow_infinity=True), st.integers()]
    elif kind == "boolean":
        fitting = st.booleans()
    elif kind == "null":
        fitting = st.none()
    elif kind == "array":
        items = schema.get("items")
        element = value_for(items, max_text=max_text, hostile=hostile) if items else json_values
        fitting = st.lists(element, max_size=8)
    elif kind == "object":
        fitting = st.dictionaries(st.text(max_size=10), json_values, max_size=5)
    else:
        return json_values
    return st.one_of(fitting, *edge) if hostile else fitting


def tool_arguments(
    input_schema: dict[str, Any], *, max_text: int = 2_000
) -> st.SearchStrategy[dict[str, Any]]:
    """Arguments for a tool: half the time fitting its schema (so calls reach the domain code), half the
    time hostile (edge values, arbitrary JSON for some fields, stray keys, required fields missing).
    """
    properties: dict[str, Any] = input_schema.get("properties", {})
    required = set(input_schema.get("required", []))
    defs = input_schema.get("$defs", {})

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref", "")
        return defs.get(ref.rsplit("/", 1)[-1], schema) if ref else schema

    def arguments(hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
        def field(name: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
            value = value_for(resolve(schema), name=name, max_text=max_text, hostile=hostile)
            return st.one_of(*[value] * 4, json_values) if hostile else value

        must = {n: field(n, s) for n, s in properties.items() if n in required and not hostile}
        may = {n: field(n, s) for n, s in properties.items() if n not in must}
        return st.fixed_dictionaries(must, optional=may)

    strays = st.dictionaries(
        st.text(max_size=12).filter(lambda k: k not in properties), json_values, max_size=2
    )
    hostile = st.builds(lambda a, b: {**b, **a}, arguments(True), st.one_of(st.just({}), strays))
    return st.one_of(arguments(False), hostile)
