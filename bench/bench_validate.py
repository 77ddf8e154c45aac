"""validate_code at each level on a 50-line and a 500-line module, against pylint and pytest run the naive way.

    python -m bench.bench_validate                 # 20 repeats per cell
    python -m bench.bench_validate --repeats 50

Every cell is the median of the repeats with the p10-p90 spread, in milliseconds, after three
warm-up runs. The naive baselines start a fresh process per call, as a server that shells out
would: ``python -m pylint --disable=C,R`` and ``python -m pytest -q -p no:cacheprovider`` on the
same module and the same ten tests. pylint is optional (``pip install pylint``); its rows are
left out when it is not installed. Targets: levels 1-2 under 50 ms and level 3 with ten tests
under 300 ms at the median.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

import anyio

from bench.stats import Sample, machine, table
from store import open_store
from tools.validate_code import PerfSpec, SandboxConfig, ValidationRequest, validate_code
from tools.validate_code.detection import detect
from tools.validate_code.static import ruff_binary

FUNCTION = '''
def score_{i}(items, weight={i}):
    """Weighted score of the positive items, capped per item."""
    total = 0
    seen = set()
    for item in items:
        if item in seen or item <= 0:
            continue
        seen.add(item)
        total += min(item * weight, 100)
    return total
'''
TEST = "def test_score_{i}():\n    assert score_{j}([1, 2, 2, -1, 50], weight=2) == 106\n"


def module(lines: int) -> str:
    """A realistic module of about `lines` lines: small functions with loops, branches and sets."""
    count = max(1, round(lines / FUNCTION.count("\n")))
    return "".join(FUNCTION.format(i=i) for i in range(count))


def tests(count: int = 10) -> str:
    """Ten tests over the functions both module sizes define (the 50-line one has five)."""
    return "\n".join(TEST.format(i=i, j=i % 5) for i in range(count))


async def measure(repeats: int, work: Path) -> str:
    config = SandboxConfig()
    isolation = detect(config).label
    store = await open_store("sqlite:///:memory:")
    rows: list[list[str]] = []
    sizes = {"50": module(50), "500": module(500)}
    suite = tests()
    await anyio.Path(work / "test_solution.py").write_text("from solution import *\n\n" + suite)

    async def validate(code: str, level: int, perf: PerfSpec | None = None) -> None:
        result = await validate_code(
            ValidationRequest(code=code, tests=suite, level=level, perf=perf),
            store=store,
            workspace="bench",
            sandbox=config,
        )
        if not result.passed:
            raise RuntimeError(f"benchmark input failed validation: {result.stages[-1].summary}")

    def run(*command: str):
        async def call() -> None:
            done = await anyio.run_process(list(command), cwd=work, check=False)
            if done.returncode not in (0, 4, 8, 16, 28):  # pylint exits with a bit mask of message kinds
                raise RuntimeError(f"{command[2]} failed ({done.returncode}): {done.stdout.decode()[-400:]}")

        return call

    growth = PerfSpec(function="score_0", input="list(range(n))", max_exponent=1.0, min_n=256)
    cases = [
        ("validate_code level 1 (compile)", lambda code: validate(code, 1)),
        ("validate_code level 2 (+ ruff)", lambda code: validate(code, 2)),
        ("validate_code level 3 (+ 10 tests, sandboxed)", lambda code: validate(code, 3)),
        ("validate_code level 4 (+ smells, test budgets)", lambda code: validate(code, 4)),
        ("validate_code level 4 + growth check", lambda code: validate(code, 4, growth)),
        (
            "ruff check, fresh process",
            lambda code: run(
                ruff_binary() or "ruff", "check", "--isolated", "--no-cache", "-q", "solution.py"
            )(),
        ),
        (
            "pytest, fresh process (10 tests)",
            lambda code: run(
                sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_solution.py"
            )(),
        ),
    ]
    if importlib.util.find_spec("pylint") is not None:
        pylint = run(
            sys.executable,
            "-m",
            "pylint",
            "--disable=C,R",
            "--persistent=n",
            "--rcfile=/dev/null",
            "solution.py",
        )
        cases.insert(6, ("pylint --disable=C,R, fresh process", lambda code: pylint()))
    try:
        for label, make in cases:
            cells = []
            for code in sizes.values():
                await anyio.Path(work / "solution.py").write_text(code)
                sample: Sample = await _time(lambda make=make, code=code: make(code), repeats)
                cells.append(sample.cell())
            rows.append([label, *cells])
    finally:
        await store.close()
    lines = {k: v.count("\n") for k, v in sizes.items()}
    header = (
        f"validate_code benchmark — {machine()}\n"
        f"isolation: {isolation}; {repeats} repeats per cell; median (p10-p90) in ms\n\n"
    )
    return header + table(["", f"{lines['50']}-line module", f"{lines['500']}-line module"], rows)


async def _time(fn, repeats: int) -> Sample:
    from bench.stats import time_async

    return await time_async(fn, repeats=repeats)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-validate-"))
    try:
        print(anyio.run(measure, args.repeats, work))
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
