"""Cold start over stdio: spawn to first tools/list answer, Fractal-RMO against a bare SDK server.

python -m bench.cold_start [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

from .stats import Sample, machine, table

REPO = Path(__file__).resolve().parents[1]

BARE = """
from mcp.server import MCPServer
mcp = MCPServer("bare", log_level="WARNING")

@mcp.tool()
def ping(x: int = 0) -> int:
    return x

mcp.run()
"""


async def first_answer(params: StdioServerParameters) -> float:
    start = time.perf_counter()
    async with Client(params) as client:
        await client.list_tools()
    return (time.perf_counter() - start) * 1000


async def run(repeats: int) -> str:
    env = {**os.environ, "FRACTAL_RMO_LOG_LEVEL": "WARNING"}
    with tempfile.TemporaryDirectory() as tmp:
        env["FRACTAL_RMO_DB"] = f"sqlite:///{Path(tmp) / 'cold.db'}"
        ours = StdioServerParameters(
            command=sys.executable, args=["-m", "server", "serve"], env=env, cwd=str(REPO)
        )
        bare = StdioServerParameters(command=sys.executable, args=["-c", BARE], env=env)
        samples: dict[str, list[float]] = {"bare SDK server": [], "fractal-rmo serve": []}
        for _ in range(repeats):  # interleaved, so machine load hits both alike
            samples["bare SDK server"].append(await first_answer(bare))
            samples["fractal-rmo serve"].append(await first_answer(ours))
    base = Sample(samples["bare SDK server"]).median
    rows = [[name, Sample(t).cell(), f"{Sample(t).median / base:.2f}"] for name, t in samples.items()]
    return table(["server", "spawn → first tools/list, ms (p10–p90)", "× bare"], rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    print(f"Machine: {machine()}\n\n{anyio.run(run, args.repeats)}")


if __name__ == "__main__":
    main()
