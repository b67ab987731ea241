"""Fixtures of the funding tests."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Tokens
from tests.funding.support import Ledger


@pytest.fixture
def admin(tokens: Tokens) -> dict[str, str]:
    """One admin client's headers for the whole test (idempotency keys are per client)."""
    return tokens.admin


@pytest.fixture
def ledger(client: httpx.AsyncClient, admin: dict[str, str]) -> Ledger:
    return Ledger(client, admin)
