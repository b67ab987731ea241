"""Who may call which funding route: one dependency alias per group of roles.

Objects are then checked one by one with `visible_*` and `writable_*` from `common.auth`.
"""

from typing import Annotated

from fastapi import Depends

from common.auth import AdminDep, Allow, AnyRoleDep, Principal, Role

__all__ = ["AdminDep", "AnyRoleDep", "GrantsDep", "LedgerReaderDep", "SummaryReaderDep"]

LedgerReaderDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss, Role.organiser))]
"""Accounts and transfers: admins all, an rss its county's, an organiser its own grants."""

SummaryReaderDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss, Role.reader))]
"""The summary: aggregated figures for admins, the counties' RSS and other systems."""

GrantsDep = Annotated[Principal, Depends(Allow(Role.admin, Role.organiser))]
"""Calls, interests and applications: admins and school organisers."""
