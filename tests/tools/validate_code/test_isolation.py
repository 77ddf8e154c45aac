"""The strongest available sandbox is found at start-up, weaker ones are used (and named) when forced or
needed, and untrusted code never runs as root."""

from __future__ import annotations

import os
import stat

import pytest

from store import Store
from tools.errors import Busy
from tools.validate_code import SandboxConfig, SandboxUnavailable, ValidationRequest, validate_code
from tools.validate_code.detection import detect, runtime_dir
from tools.validate_code.isolation import RunPaths, sandbox_command, user_args
from tools.validate_code.uidlocks import try_lock

pytestmark = pytest.mark.anyio
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="per-slot uids need a root server")

IDENTITY = """
import os
def identity():
    return {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups(),
            "env": sorted(os.environ), "cwd_writable": os.access(".", os.W_OK)}
"""


def mode_config(run_root: str, mode: str, **extra) -> SandboxConfig:
    config = SandboxConfig(tmp_dir=run_root, isolation=mode, **extra)
    try:
        detect(config)
    except SandboxUnavailable as exc:
        pytest.skip(f"{mode} is not available here: {exc}")
    return config


@root_only
@pytest.mark.parametrize(
    ("mode", "label"),
    [("bwrap", "bwrap+uid+netns+pidns"), ("unshare", "unshare+uid+netns+pidns"), ("rlimits", "rlimits+uid")],
)
async def test_each_mode_runs_the_code_as_a_slot_uid_with_an_empty_environment(
    store: Store, run_root: str, mode: str, label: str
) -> None:
    config = mode_config(run_root, mode)
    tests = (
        f"def test_identity():\n    me = identity()\n    assert me['uid'] == me['euid'] == me['gid']\n"
        f"    assert {config.uids.start} <= me['uid'] < {config.uids.stop}\n"
        "    assert me['groups'] in ([], [me['gid']])\n"
        "    assert set(me['env']) <= {'PATH', 'PWD', 'MALLOC_ARENA_MAX', 'HOME', 'TMPDIR', 'LANG', 'LC_CTYPE'}\n"
        "    assert me['cwd_writable']\n"
    )
    result = await validate_code(
        ValidationRequest(code=IDENTITY, tests=tests), store=store, workspace="w", sandbox=config
    )
    assert result.passed, [f.message for f in result.stages[-1].findings]
    assert result.isolation == label


@root_only
async def test_without_bubblewrap_auto_falls_back_and_says_so(store: Store, run_root: str) -> None:
    config = SandboxConfig(tmp_dir=run_root, bwrap_path="no-such-bwrap-binary")
    iso = detect(config)
    assert iso.mode in ("unshare", "rlimits")
    assert "bwrap: not installed" in iso.notes
    result = await validate_code(
        ValidationRequest(code="x = 1\n", tests="def test_x():\n    assert x == 1\n"),
        store=store,
        workspace="w",
        sandbox=config,
    )
    assert result.passed
    assert result.isolation == iso.label


def test_a_forced_mode_that_is_missing_fails_with_a_hint(run_root: str) -> None:
    with pytest.raises(SandboxUnavailable, match="Hint: install bubblewrap"):
        detect(SandboxConfig(tmp_dir=run_root, isolation="bwrap", bwrap_path="no-such-bwrap-binary"))


@root_only
def test_slot_uids_that_belong_to_an_account_are_refused(run_root: str) -> None:
    # 65534 is "nobody": killing every process of a sandbox uid must never hit a real account.
    with pytest.raises(SandboxUnavailable, match="belongs to the account 'nobody'"):
        detect(SandboxConfig(tmp_dir=run_root, uid_base=65533, slots=1))


@root_only
def test_bubblewrap_is_started_as_the_slot_uid_without_capabilities(run_root: str) -> None:
    config = mode_config(run_root, "bwrap")
    iso = detect(config)
    argv, env, _ = sandbox_command(
        iso, config, RunPaths("/lib", "/judge", "/work"), uid=60001, key_fd=5, result_fd=6
    )
    assert user_args(iso, 60001) == {"user": 60001, "group": 60001, "extra_groups": []}
    for flag in ("--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--cap-drop") + 1] == "ALL"
    assert env == {}
    assert argv[argv.index("--") + 1] == iso.python


@root_only
def test_unshare_drops_to_the_slot_uid_with_no_capabilities(run_root: str) -> None:
    config = mode_config(run_root, "unshare")
    iso = detect(config)
    argv, _, _ = sandbox_command(
        iso, config, RunPaths("/lib", "/judge", "/work"), uid=60001, key_fd=5, result_fd=6
    )
    assert user_args(iso, 60001) == {}
    setpriv = argv[argv.index("--") + 1 :]
    assert setpriv[:3] == [iso.setpriv, "--reuid", "60001"]
    assert "--inh-caps=-all" in setpriv
    assert "--bounding-set=-all" in setpriv


def test_the_interpreter_and_runtime_cannot_be_changed_by_the_sandbox(run_root: str) -> None:
    iso = detect(SandboxConfig(tmp_dir=run_root))
    python = os.stat(os.path.realpath(iso.python))
    assert not python.st_mode & stat.S_IWOTH
    runtime = runtime_dir()
    for root, dirs, files in os.walk(runtime):
        for name in [*dirs, *files]:
            assert not os.stat(os.path.join(root, name)).st_mode & (stat.S_IWOTH | stat.S_IWGRP)
    assert not os.stat(runtime).st_mode & stat.S_IWOTH


def test_bad_sandbox_settings_fail_with_the_setting_named() -> None:
    with pytest.raises(ValueError, match="'slots' must be between 1 and 64"):
        SandboxConfig(slots=0)
    with pytest.raises(ValueError, match="'max_timeout_s'"):
        SandboxConfig(max_timeout_s=50, queue_timeout_s=15)


@root_only
async def test_a_uid_held_by_another_process_is_never_used(store: Store, run_root: str) -> None:
    config = SandboxConfig(tmp_dir=run_root, slots=1, uid_base=64000, queue_timeout_s=0.3)
    detect(config)
    held = [try_lock(uid) for uid in config.uids]  # what another server process would hold
    try:
        with pytest.raises(Busy, match="in use by another process"):
            await validate_code(ValidationRequest(code="x = 1\n"), store=store, workspace="w", sandbox=config)
    finally:
        for release in held:
            release()
    result = await validate_code(
        ValidationRequest(code="x = 1\n"), store=store, workspace="w", sandbox=config
    )
    assert result.passed
