"""Who may call which funding route, and the programme's years."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from common.auth import Allow, Principal, Role
from services.funding.config import Settings, get_settings

AdminDep = Annotated[Principal, Depends(Allow(Role.admin))]
# Accounts and transfers: admins all, an rss its county's, an organiser its own grants.
LedgerReaderDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss, Role.organiser))]
# The summary: aggregated figures for admins, the counties' RSS and other systems.
SummaryReaderDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss, Role.reader))]
# Calls, interests and applications: admins and school organisers.
GrantsDep = Annotated[Principal, Depends(Allow(Role.admin, Role.organiser))]


def programme_years(request: Request) -> range:
    """The years accounts may be opened for (settings first_year..last_year)."""
    settings: Settings = getattr(request.app.state, "settings", None) or get_settings()
    return range(settings.first_year, settings.last_year + 1)


YearsDep = Annotated[range, Depends(programme_years)]
