"""Fixtures for validate_code: a real in-memory store and sandbox configurations with private run dirs."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator

import pytest

from store import Store, open_store
from tools.validate_code import SandboxConfig


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await open_store("sqlite:///:memory:")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture(scope="session")
def run_root() -> Iterator[str]:
    """A directory the sandbox uids can traverse (pytest's own tmp dirs are private to root)."""
    path = tempfile.mkdtemp(prefix="rmo-tests-")
    os.chmod(path, 0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def sandbox(run_root: str) -> SandboxConfig:
    return SandboxConfig(tmp_dir=run_root, test_timeout_s=2.0)


def sandbox_processes(config: SandboxConfig) -> list[int]:
    """Pids of live processes owned by any of the config's sandbox uids."""
    uids = set(range(config.uid_base, config.probe_uid + 1))
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/status") as fh:
                    status = fh.read()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("Uid:") and int(line.split()[1]) in uids:
                    state = next((x for x in status.splitlines() if x.startswith("State:")), "")
                    if "Z" not in state.split()[1:2]:
                        found.append(int(entry.name))
    return found
