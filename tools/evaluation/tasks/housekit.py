"""The fictional project the convention families belong to: its helper package and its house rules.

Solutions of those families run after a preamble that installs the ``housekit`` package, exactly as
if it were installed in the project. The prompts say the package exists and that its conventions
apply, but not what they are: that is the knowledge a fresh model lacks and a learned protocol can
supply.
"""

from __future__ import annotations

MODULES: dict[str, str] = {
    "housekit": '"""housekit: shared helpers of the project."""\n',
    "housekit.errors": '''
class ValidationError(ValueError):
    """Invalid input. House rule: field is the name of the parameter that held the bad value."""

    def __init__(self, field, value):
        self.field = field
        self.value = value
        super().__init__(f"{field}: invalid value {value!r}")
''',
    "housekit.money": '''
def round_half_even(numerator, denominator):
    """numerator / denominator rounded to the nearest integer, ties to even (banker's rounding)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient
''',
    "housekit.api": '''
def ok(data):
    """The success envelope every public function returns."""
    return {"ok": True, "data": data}


def fail(code, message):
    """The failure envelope; code is one of "not_found", "invalid", "conflict"."""
    return {"ok": False, "error": {"code": code, "message": message}}
''',
    "housekit.clock": """
MS_PER_SECOND = 1000
MS_PER_MINUTE = 60 * MS_PER_SECOND
STAMP_FORMAT = "%Y%m%dT%H%M%SZ"
""",
}


def preamble(modules: tuple[str, ...]) -> str:
    """Code that installs `modules` (and their parents) as importable packages, then cleans up its names."""
    if not modules:
        return ""
    wanted = ["housekit"] + [m for m in modules if m != "housekit"]
    lines = ["import sys as _hk_sys, types as _hk_types", ""]
    for name in wanted:
        var = "_hk_" + name.replace(".", "_")
        lines.append(f"{var} = _hk_types.ModuleType({name!r})")
        lines.append(f"exec({MODULES[name]!r}, {var}.__dict__)")
        lines.append(f"_hk_sys.modules[{name!r}] = {var}")
        if "." in name:
            parent, _, child = name.rpartition(".")
            lines.append(f"setattr(_hk_sys.modules[{parent!r}], {child!r}, {var})")
    names = ", ".join(["_hk_sys", "_hk_types"] + ["_hk_" + n.replace(".", "_") for n in wanted])
    lines += [f"del {names}", "# --- end of project preamble ---", ""]
    return "\n".join(lines)
