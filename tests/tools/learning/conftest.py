"""Fixtures for the learning-loop tests: an in-memory store and a workspace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from store import open_store
from store.base import Store


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    opened = await open_store("sqlite:///:memory:")
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def workspace() -> str:
    return "ws"
