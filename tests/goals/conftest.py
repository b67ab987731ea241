"""Fixtures of the goals tests."""

from __future__ import annotations

import httpx
import pytest

from tests.database import DatabaseRun
from tests.goals.support import Goals
from tests.support import Schema, Tokens


@pytest.fixture
def goals(client: httpx.AsyncClient, tokens: Tokens) -> Goals:
    return Goals(client, tokens)


@pytest.fixture
def schema(test_run: DatabaseRun, database: str) -> Schema:
    """What the goals schema holds, read directly."""
    return Schema(test_run, database, "goals")
