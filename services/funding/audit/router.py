"""/funding/v1/audit-events: who did what, when, from which request (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from common.db import SessionDep
from common.input import Rfc3339
from common.pagination import Page, PageDep
from common.problems import problem_responses
from services.funding.access import AdminDep
from services.funding.audit import service
from services.funding.audit.schemas import AuditEventRead, AuditFilter

router = APIRouter(tags=["audit"])


@router.get(
    "/audit-events",
    summary="List audit events / Lista händelser i granskningsloggen",
    responses=problem_responses(401, 403, 422),
)
async def list_audit_events(
    session: SessionDep,
    admin: AdminDep,
    page: PageDep,
    since: Annotated[
        Annotated[AwareDatetime, Rfc3339] | None,
        Query(description="Only events at or after this time.", examples=["2019-06-10T00:00:00Z"]),
    ] = None,
    until: Annotated[
        Annotated[AwareDatetime, Rfc3339] | None,
        Query(description="Only events before this time.", examples=["2019-12-31T23:00:00Z"]),
    ] = None,
    action: Annotated[
        str | None,
        Query(max_length=50, description="Only this action.", examples=["transfer.created"]),
    ] = None,
    actor: Annotated[
        str | None,
        Query(max_length=64, description="Only this client id.", examples=["kvf_3f9a1c2b7d4e5f60"]),
    ] = None,
) -> Page[AuditEventRead]:
    """Every change in the funding service, newest first: accounts opened, transfers made,
    posted and voided, distributions, calls, interests, applications and each step of their
    lifecycle, with the client id, role, time and request id. Filter by time with
    `since` (inclusive) and `until` (exclusive), by `action` or by `actor`."""
    filters = AuditFilter(since=since, until=until, action=action, actor=actor)
    events, total = await service.list_events(session, filters=filters, page=page)
    return Page.of([AuditEventRead.model_validate(e) for e in events], total, page)
