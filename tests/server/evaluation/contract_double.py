"""A small MCP server that speaks the public contract of the evaluation's tools, for the harness's own tests.

It really runs the submitted code against the tests (in a subprocess with a timeout), groups failures
into patterns by a crude fingerprint, keeps proposed rules and serves them as the protocol. It is a
test double of the contract, not of the product: it never adopts a rule, calls a pattern confirmed
once it has two errors (the server wants two tasks), shows every rule to every task, and its
fingerprints are far simpler than the server's. Tests that need the product's behaviour use the
real server.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mcp.server import MCPServer

RUNNER = r"""
import json, sys, traceback
sys.path.insert(0, ".")
out = []
try:
    import tests
except BaseException as exc:
    out.append({"test": "<import>", "type": type(exc).__name__, "message": str(exc)})
else:
    for name in sorted(n for n in dir(tests) if n.startswith("test")):
        try:
            getattr(tests, name)()
        except BaseException as exc:
            out.append({"test": name, "type": type(exc).__name__, "message": str(exc)[:300]})
print(json.dumps(out))
"""


def _template(text: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "<v>", text)


def build_contract_double(*, fail_tools: frozenset[str] = frozenset()) -> MCPServer:
    mcp = MCPServer("contract-double", log_level="WARNING")
    state: dict[str, Any] = {"tasks": {}, "errors": [], "patterns": {}, "rules": {}, "calls": []}

    def record(name: str) -> None:
        state["calls"].append(name)

    @mcp.tool()
    def decompose(task: str, domain: str = "python") -> dict[str, Any]:
        record("decompose")
        task_id = f"t-{len(state['tasks']) + 1}"
        state["tasks"][task_id] = {"description": task, "status": "open"}
        items = [
            {"id": f"a-{task_id}-1", "parent_id": None, "name": "solve", "category": f"{domain}.function",
             "description": task[:80], "rules": [], "pitfalls": []},
            {"id": f"a-{task_id}-2", "parent_id": f"a-{task_id}-1", "name": "write code", "category": f"{domain}.function.write",
             "description": "write the function", "rules": [], "pitfalls": []},
        ]  # fmt: skip
        return {"task_id": task_id, "items": items}

    @mcp.tool()
    def get_protocol(
        task_id: str | None = None,
        category: str | None = None,
        task: str | None = None,
        max_tokens: int = 1500,
    ) -> dict[str, Any]:
        record("get_protocol")
        rules = [
            {
                "id": rid,
                "text": r["rule"],
                "scope": r["scope"],
                "status": "candidate",
                "effectiveness": None,
                "evidence": None,
            }
            for rid, r in state["rules"].items()
        ]
        markdown = ("## Protocol\n\n" + "\n".join(f"- {r['text']}" for r in rules) + "\n") if rules else ""
        return {
            "version": len(rules),
            "rules": rules,
            "markdown": markdown[: max_tokens * 4],
            "arm": "treatment",
        }

    @mcp.tool()
    def validate_code(
        code: str,
        tests: str | None = None,
        level: int = 3,
        task_id: str | None = None,
        action_id: str | None = None,
        timeout_s: float = 10.0,
    ) -> dict[str, Any]:
        record("validate_code")
        if "validate_code" in fail_tools:
            raise ValueError("validate_code is unavailable in this double")
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "solution.py").write_text(code)
            Path(tmp, "tests.py").write_text(tests or "")
            try:
                done = subprocess.run(
                    [sys.executable, "-I", "-c", RUNNER],
                    cwd=tmp,
                    capture_output=True,
                    text=True,
                    timeout=timeout_s,
                )
                failures = (
                    json.loads(done.stdout.strip().splitlines()[-1])
                    if done.stdout.strip()
                    else [{"test": "<run>", "type": "Crash", "message": done.stderr[-300:]}]
                )
            except subprocess.TimeoutExpired:
                failures = [{"test": "<run>", "type": "Timeout", "message": f"exceeded {timeout_s}s"}]
        logged = []
        for failure in failures:
            stem = re.sub(r"_\d+$", "", failure["test"])
            fingerprint = f"v0:{failure['type']}:{stem}:{_template(failure['message'])}"
            pattern = state["patterns"].setdefault(
                fingerprint,
                {
                    "id": f"p-{len(state['patterns']) + 1}",
                    "title": f"{failure['type']} in {stem}",
                    "errors": [],
                    "tasks": set(),
                },
            )
            error_id = f"e-{len(state['errors']) + 1}"
            state["errors"].append(error_id)
            pattern["errors"].append(
                {"message": f"{failure['type']}: {failure['message']}", "task_id": task_id}
            )
            pattern["tasks"].add(task_id)
            logged.append({"error_id": error_id, "fingerprint": fingerprint, "pattern_id": pattern["id"]})
        findings = [
            {"code": f["type"], "message": f"{f['test']}: {f['type']}: {f['message']}", "line": None}
            for f in failures
        ]
        stages = [{"name": "tests", "passed": not failures, "duration_ms": 1.0, "findings": findings}]
        return {"passed": not failures, "stages": stages, "errors_logged": logged, "known_patterns": []}

    @mcp.tool()
    def complete_task(task_id: str, status: str, tokens: int = 0, cost_usd: float = 0.0) -> dict[str, Any]:
        record("complete_task")
        task = state["tasks"][task_id]
        task.update(status=status, tokens=tokens, cost_usd=cost_usd)
        return {"task_id": task_id, **task}

    @mcp.tool()
    def find_patterns(
        category: str | None = None, min_frequency: int = 1, since: str | None = None, limit: int = 20
    ) -> dict[str, Any]:
        record("find_patterns")
        rows = []
        for fingerprint, p in state["patterns"].items():
            if len(p["errors"]) < min_frequency:
                continue
            insight = next((r["rule"] for r in state["rules"].values() if r["pattern_id"] == p["id"]), None)
            rows.append({
                "id": p["id"], "title": p["title"], "signature": fingerprint, "frequency": len(p["errors"]),
                "distinct_tasks": len(p["tasks"]), "confidence": 1.0, "first_seen": "", "last_seen": "",
                "examples": p["errors"][:3], "insight": insight, "status": "confirmed" if len(p["errors"]) > 1 else "emerging",
            })  # fmt: skip
        rows.sort(key=lambda r: -r["frequency"])
        return {"patterns": rows[:limit], "total": len(rows)}

    @mcp.tool()
    def propose_insight(
        pattern_id: str,
        rule: str,
        example_wrong: str | None = None,
        example_right: str | None = None,
        scope: str | None = None,
    ) -> dict[str, Any]:
        record("propose_insight")
        rule_id = f"r-{len(state['rules']) + 1}"
        state["rules"][rule_id] = {"pattern_id": pattern_id, "rule": rule, "scope": scope or "python"}
        return {"rule_id": rule_id, "pattern_id": pattern_id, "status": "candidate"}

    mcp.double_state = state  # type: ignore[attr-defined]
    return mcp
