"""Fixtures of the funding tests: the API's factories and the schema."""

from __future__ import annotations

import httpx
import pytest

from tests.database import DatabaseRun
from tests.funding.grants.support import CaseGrants, Clock
from tests.funding.support import Ledger
from tests.support import Schema, Tokens


@pytest.fixture
def ledger(client: httpx.AsyncClient, tokens: Tokens) -> Ledger:
    """Accounts, transfers and distributions, as one admin client for the whole test."""
    return Ledger(client, tokens)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The grants' clock, set to 1 July 2019 (a call's window lies in its pool's year)."""
    return Clock(monkeypatch)


@pytest.fixture
def grants(client: httpx.AsyncClient, tokens: Tokens, ledger: Ledger, clock: Clock) -> CaseGrants:
    """Calls (open at the clock, rolling unless told) and applications, with `ledger`'s admin."""
    return CaseGrants(client, tokens, ledger, clock)


@pytest.fixture
async def funded(ledger: Ledger) -> Ledger:
    """2019.a holds 10 000 000 öre (from the source 2019.staten); 2019.b is empty."""
    await ledger.funded("2019.a", 10_000_000)
    await ledger.open("2019.b")
    return ledger


@pytest.fixture
def schema(test_run: DatabaseRun, database: str) -> Schema:
    """What schema `funding` holds, read as the database owner."""
    return Schema(test_run, database, "funding")
