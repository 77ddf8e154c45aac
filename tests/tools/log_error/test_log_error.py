import anyio
import pytest

from store import NewActionItem, NewInsight, Store
from tools.errors import InvalidInput
from tools.limits import Limits
from tools.log_error import ErrorReport, Evidence, log_error

pytestmark = pytest.mark.anyio

TRACEBACK = """Traceback (most recent call last):
  File "/tmp/tmp81/tests.py", line 4, in test_median
    assert median([1, 2, 3, 4]) == 2.5
  File "/tmp/tmp81/solution.py", line 3, in median
    return s[len(s) // 2]
IndexError: list index out of range
"""
CODE = "def median(xs):\n    s = sorted(xs)\n    return s[len(s) // 2]\n"


async def test_a_logged_error_is_stored_and_starts_a_pattern(store: Store, workspace: str) -> None:
    logged = await log_error(
        ErrorReport(
            message="IndexError: list index out of range", traceback=TRACEBACK, code=CODE, source="test"
        ),
        store=store,
        workspace=workspace,
    )
    assert logged.category == "runtime.index"
    assert logged.error_type == "IndexError"
    assert logged.new_pattern is True
    assert logged.pattern_frequency == 1
    assert logged.pattern_title == "IndexError in median: s[len(s) // <num>]"
    assert logged.insight is None
    stored = await store.get_error(workspace, logged.error_id)
    assert stored.fingerprint == logged.fingerprint
    assert stored.details["line"] == 3
    assert stored.code == CODE


async def test_the_same_mistake_again_joins_its_pattern(store: Store, workspace: str) -> None:
    first = await log_error(ErrorReport(message="KeyError: 'alice'"), store=store, workspace=workspace)
    second = await log_error(ErrorReport(message="KeyError: 'bob'"), store=store, workspace=workspace)
    assert second.fingerprint == first.fingerprint
    assert second.pattern_id == first.pattern_id
    assert (second.new_pattern, second.pattern_frequency) == (False, 2)


async def test_the_patterns_insight_comes_back_with_the_error(store: Store, workspace: str) -> None:
    first = await log_error(
        ErrorReport(message="ZeroDivisionError: division by zero"), store=store, workspace=workspace
    )
    await store.add_insight(
        workspace,
        NewInsight(
            pattern_id=first.pattern_id,
            rule="Check for an empty list before dividing by its length.",
            source="client",
        ),
    )
    again = await log_error(
        ErrorReport(message="ZeroDivisionError: division by zero"), store=store, workspace=workspace
    )
    assert again.insight is not None
    assert again.insight.rule == "Check for an empty list before dividing by its length."


@pytest.mark.parametrize("message", ["", "   ", "\n\t"])
async def test_a_blank_message_is_refused(store: Store, workspace: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=r"'message' must be a non-empty string \(got "):
        await log_error(ErrorReport(message=message), store=store, workspace=workspace)


@pytest.mark.parametrize(
    ("field", "value", "form"),
    [
        ("task_id", "task-3", "t-N"),
        ("task_id", "t-", "t-N"),
        ("task_id", "p-3", "t-N"),
        ("action_id", "a3", "a-N"),
    ],
)
async def test_malformed_ids_are_refused_naming_the_valid_form(
    store: Store, workspace: str, field: str, value: str, form: str
) -> None:
    report = ErrorReport(message="boom", **{"task_id": "t-1", field: value})
    with pytest.raises(InvalidInput, match=f"'{field}' must look like {form}"):
        await log_error(report, store=store, workspace=workspace)


async def test_an_unknown_task_is_refused_with_the_next_call_to_make(store: Store, workspace: str) -> None:
    with pytest.raises(InvalidInput, match=r"Unknown task 't-99'\. Call decompose to create a task"):
        await log_error(ErrorReport(message="boom", task_id="t-99"), store=store, workspace=workspace)


async def test_a_task_of_another_workspace_is_unknown(store: Store, workspace: str) -> None:
    task = await store.create_task("other", "sort a list", domain="python")
    with pytest.raises(InvalidInput, match="Unknown task"):
        await log_error(ErrorReport(message="boom", task_id=task.task_id), store=store, workspace=workspace)


async def test_an_action_item_needs_its_task_and_must_belong_to_it(store: Store, workspace: str) -> None:
    task = await store.create_task(
        workspace,
        "parse a CSV",
        domain="python",
        items=[
            NewActionItem(key="read", name="Read rows", category="python.io.parse", description="csv.reader")
        ],
    )
    with pytest.raises(InvalidInput, match="needs the 'task_id'"):
        await log_error(ErrorReport(message="boom", action_id="a-1"), store=store, workspace=workspace)
    with pytest.raises(InvalidInput, match=r"Unknown action item 'a-999' in task"):
        await log_error(
            ErrorReport(message="boom", task_id=task.task_id, action_id="a-999"),
            store=store,
            workspace=workspace,
        )
    item = task.items[0]
    logged = await log_error(
        ErrorReport(message="ValueError: bad row", task_id=task.task_id, action_id=item.action_id),
        store=store,
        workspace=workspace,
    )
    stored = await store.get_error(workspace, logged.error_id)
    assert (stored.task_id, stored.action_id, stored.action_category) == (
        task.task_id,
        item.action_id,
        "python.io.parse",
    )


async def test_oversized_fields_are_cut_with_notes_and_a_huge_traceback_stays_fast(
    store: Store, workspace: str
) -> None:
    frame = '  File "/app/loop.py", line 3, in spin\n    spin(n + 1)\n'
    huge = (
        "Traceback (most recent call last):\n"
        + frame * (50 * 1024 * 1024 // len(frame))
        + "RecursionError: maximum recursion depth exceeded\n"
    )
    report = ErrorReport(message="x" * 20_000, traceback=huge, code="y = 1\n" * 50_000)
    with anyio.fail_after(10):
        logged = await log_error(report, store=store, workspace=workspace)
    assert logged.category == "runtime.recursion"
    assert any(note.startswith("message cut to its first 8192 characters") for note in logged.notes)
    assert any(note.startswith("traceback cut to its first and last lines") for note in logged.notes)
    assert any(note.startswith("code cut to its first 204800 characters") for note in logged.notes)
    stored = await store.get_error(workspace, logged.error_id)
    assert len(stored.message) == 8192
    assert stored.traceback is not None and len(stored.traceback) < 64 * 1024 + 100
    assert stored.traceback.endswith("RecursionError: maximum recursion depth exceeded\n")
    assert "characters cut] ..." in stored.traceback


async def test_limits_are_configurable(store: Store, workspace: str) -> None:
    logged = await log_error(
        ErrorReport(message="ValueError: " + "v" * 500),
        store=store,
        workspace=workspace,
        limits=Limits(message_chars=100),
    )
    stored = await store.get_error(workspace, logged.error_id)
    assert len(stored.message) == 100


async def test_nul_bytes_lone_surrogates_and_colour_codes_are_cleaned(store: Store, workspace: str) -> None:
    report = ErrorReport(
        message="\x1b[31mKeyError\x1b[0m: 'a\x00b\ud800'",
        traceback="bad\udcff\x00tb",
        code="x = '\ud83d'\x00",
    )
    logged = await log_error(report, store=store, workspace=workspace)
    stored = await store.get_error(workspace, logged.error_id)
    assert stored.message == "KeyError: 'ab\ufffd'"
    assert stored.traceback == "bad\ufffdtb"
    assert stored.code == "x = '\ufffd'"
    assert logged.error_type == "KeyError"


async def test_secrets_are_removed_from_everything_stored_and_counted(store: Store, workspace: str) -> None:
    key = "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    report = ErrorReport(
        message=f"AuthenticationError: invalid x-api-key {key}",
        traceback=f'Traceback (most recent call last):\n  File "/app/c.py", line 2, in call\n    client = Client(api_key="{key}")\nAuthenticationError: invalid x-api-key {key}\n',
        code=f'DB = "postgresql://app:pa55word@db/prod"\nclient = Client(api_key="{key}")\n',
    )
    evidence = Evidence(
        details={"env": {"API_TOKEN": "tok-123456"}, "contact": "ops@example.com"}, actual=repr(key)
    )
    logged = await log_error(report, store=store, workspace=workspace, evidence=evidence)
    stored = await store.get_error(workspace, logged.error_id)
    everything = repr((stored.message, stored.traceback, stored.code, stored.details))
    for secret in (key, "pa55word", "tok-123456", "ops@example.com"):
        assert secret not in everything
    assert "[REDACTED:api_key]" in stored.message
    assert "removed 8 secrets: api_key, email, password, token" in logged.notes


async def test_evidence_from_validation_drives_category_fingerprint_and_title(
    store: Store, workspace: str
) -> None:
    code = "def add_item(item, items=[]):\n    items.append(item)\n    return items\n"
    logged = await log_error(
        ErrorReport(
            message="Do not use mutable data structures for argument defaults",
            code=code,
            source="static",
            explain=True,
        ),
        store=store,
        workspace=workspace,
        evidence=Evidence(stage="static", rule_code="B006", line=1, details={"tool": "ruff"}),
    )
    assert logged.category == "static.mutable-default"
    assert logged.error_type == "ruff"
    assert logged.title == "B006 mutable default argument in add_item"
    assert {c.name for c in logged.fingerprint_components if c.contributed} == {
        "error_type",
        "rule_code",
        "source_line",
    }
    stored = await store.get_error(workspace, logged.error_id)
    assert stored.details["evidence"] == {"tool": "ruff"}
    assert stored.details["stage"] == "static"


async def test_the_fingerprint_is_explained_only_when_asked(store: Store, workspace: str) -> None:
    report = {"message": "list index out of range", "error_type": "IndexError"}
    plain = await log_error(ErrorReport(**report), store=store, workspace=workspace)
    explained = await log_error(ErrorReport(**report, explain=True), store=store, workspace=workspace)
    assert plain.fingerprint_components == []
    assert explained.fingerprint == plain.fingerprint
    assert [(c.name, c.value) for c in explained.fingerprint_components if c.contributed] == [
        ("error_type", "IndexError"),
        ("template", "list index out of range"),
    ]


async def test_a_wrong_answer_from_validation_keeps_its_operands(store: Store, workspace: str) -> None:
    logged = await log_error(
        ErrorReport(message="assert None == [1, 2, 3]", error_type="AssertionError", source="test"),
        store=store,
        workspace=workspace,
        evidence=Evidence(
            assert_source="assert normalize([3, 1, 2]) == [1, 2, 3]",
            expected="[1, 2, 3]",
            actual="None",
            test_name="test_normalize",
        ),
    )
    assert logged.category == "logic.assertion"
    assert logged.title == "Wrong answer: assert <call>(<list>) == <list> returned None"
    stored = await store.get_error(workspace, logged.error_id)
    assert (stored.details["expected"], stored.details["actual"], stored.details["assert_relation"]) == (
        "[1, 2, 3]",
        "None",
        "none",
    )
    assert stored.details["test_name"] == "test_normalize"
