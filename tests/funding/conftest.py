"""Fixtures of the funding tests."""

from __future__ import annotations

import httpx
import pytest

from tests.funding.support import Grants, Ledger
from tests.support import Tokens


@pytest.fixture
def admin(tokens: Tokens) -> dict[str, str]:
    """One admin client's headers for the whole test (idempotency keys are per client)."""
    return tokens.admin


@pytest.fixture
def ledger(client: httpx.AsyncClient, admin: dict[str, str]) -> Ledger:
    return Ledger(client, admin)


@pytest.fixture
def grants(ledger: Ledger, tokens: Tokens) -> Grants:
    """Organisers keep one token each for the whole test (keys are per client)."""
    headers: dict[str, dict[str, str]] = {}

    def organiser(number: str) -> dict[str, str]:
        if number not in headers:
            headers[number] = tokens.organiser(number)
        return headers[number]

    return Grants(ledger, organiser)
