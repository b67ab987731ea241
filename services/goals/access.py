"""Who may call which goals route: one dependency alias per group of roles.

Every route of the service declares one of these (so it answers 401 without a token and lists
its roles in the OpenAPI text); objects are then checked one by one with `visible_county` and
`writable_county` from `common.auth`.
"""

from typing import Annotated

from fastapi import Depends

from common.auth import AdminDep, Allow, AnyRoleDep, Principal, Role

__all__ = ["AdminDep", "AnyRoleDep", "PlannerDep", "ProgressDep", "ReporterDep", "county_scope"]

PlannerDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss))]
"""Plans, indicators, county goals and reading reports: admin, and an rss for its county."""

ReporterDep = Annotated[Principal, Depends(Allow(Role.rss))]
"""Writing and submitting a report: only the county's rss."""

ProgressDep = Annotated[Principal, Depends(Allow(Role.admin, Role.rss, Role.reader))]
"""Progress: admin, rss and reader (a reader sees approved figures only)."""


def county_scope(principal: Principal) -> str | None:
    """The one county an rss principal is confined to; None for every other role."""
    return principal.county_code if principal.role is Role.rss else None
