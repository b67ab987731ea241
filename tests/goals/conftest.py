"""Fixtures of the goals tests."""

from __future__ import annotations

import httpx
import pytest

from tests.database import DatabaseRun
from tests.goals.support import Database, Goals
from tests.support import Tokens


@pytest.fixture
def goals(client: httpx.AsyncClient, tokens: Tokens) -> Goals:
    return Goals(client, tokens)


@pytest.fixture
def db(test_run: DatabaseRun, database: str) -> Database:
    return Database(test_run, database)
