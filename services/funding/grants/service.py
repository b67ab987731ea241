"""Calls, expressions of interest and applications: who may apply, when, for how much."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, visible_organisation, writable_organisation
from common.context import current_request_id
from common.pagination import PageParams
from common.problems import NotFound, field_error, invalid_many
from services.funding.accounts import repository as accounts
from services.funding.accounts.schemas import AccountKind
from services.funding.audit import service as audit
from services.funding.grants import clock, repository, views
from services.funding.grants.models import Application, ApplicationEvent, Call, Interest
from services.funding.grants.schemas import (
    ApplicationCreate,
    ApplicationDetail,
    ApplicationFilter,
    ApplicationRead,
    ApplicationState,
    ApplicationStep,
    CallCreate,
    Eligible,
    InterestCreate,
)
from services.funding.money import kronor
from services.funding.problems import CallNotOpen, InterestRequired
from services.funding.transfers.models import Transfer

MUNICIPALITY_PREFIX = "212000-"  # every Swedish municipality's organisationsnummer
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")  # the agreement's years are Swedish calendar years


def year_start(year: int) -> datetime:
    """Midnight of 1 January of `year`, Swedish time."""
    return datetime(year, 1, 1, tzinfo=SWEDISH_TIME)


def window_errors(
    *,
    year: int,
    years: range,
    opens_at: datetime,
    closes_at: datetime,
    report_due_at: datetime | None,
) -> list[dict[str, Any]]:
    """What is wrong with a call's window and reporting deadline: the window [opens_at,
    closes_at) must be ordered and lie inside the agreement period (`years`) and the pool's
    `year`, Swedish time; reports are due after the call closes."""
    errors = []
    if closes_at <= opens_at:
        errors.append(
            field_error("body.closes_at", "must be after opens_at", closes_at.isoformat())
        )
    start = year_start(max(year, years.start))
    end = year_start(min(year, years.stop - 1) + 1)
    inside = "inside the pool's year and the agreement period, Swedish time"
    if not start <= opens_at < end:
        message = f"must be at least {start.isoformat()} and before {end.isoformat()}: {inside}"
        errors.append(field_error("body.opens_at", message, opens_at.isoformat()))
    if not start < closes_at <= end:
        message = f"must be after {start.isoformat()} and at most {end.isoformat()}: {inside}"
        errors.append(field_error("body.closes_at", message, closes_at.isoformat()))
    if report_due_at is not None and report_due_at <= closes_at:
        errors.append(
            field_error("body.report_due_at", "must be after closes_at", report_due_at.isoformat())
        )
    return errors


def _not_open(call: Call, detail: str) -> CallNotOpen:
    """409 call-not-open, with the call's window."""
    return CallNotOpen(
        detail, opens_at=call.opens_at.isoformat(), closes_at=call.closes_at.isoformat()
    )


async def create_call(
    session: AsyncSession, *, data: CallCreate, principal: Principal, years: range
) -> Call:
    """A call paid from a budget account (the pool), its window inside the agreement period
    (`years`) and the pool's year."""
    pool = await accounts.get(session, data.pool_account)
    errors = []
    if pool is None or pool.kind != AccountKind.budget:
        message = "no such account" if pool is None else "the pool must be a budget account"
        errors.append(field_error("body.pool_account", message, data.pool_account))
    errors += window_errors(
        year=pool.year if pool else years.start,
        years=years,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        report_due_at=data.report_due_at,
    )
    if data.max_schools < data.min_schools:
        errors.append(field_error("body.max_schools", "must be at least min_schools"))
    if errors:
        raise invalid_many(errors)
    call = await repository.add(
        session,
        Call(
            title=data.title,
            description=data.description,
            pool_account=data.pool_account,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            max_amount_ore=data.max_amount_per_organiser_ore,
            min_schools=data.min_schools,
            max_schools=data.max_schools,
            eligible=data.eligible.value,
            methods=data.methods,
            requires_interest=data.requires_interest,
            rolling=data.rolling,
            report_due_at=data.report_due_at,
            created_by=principal.client_id,
        ),
    )
    await audit.record(
        session,
        principal=principal,
        action="call.created",
        object_type="call",
        object_id=call.id,
        detail={"pool_account": call.pool_account, "max_amount_ore": call.max_amount_ore},
    )
    return call


async def get_call(session: AsyncSession, *, call_id: int) -> Call:
    """One call, or 404."""
    call = await repository.get_call(session, call_id)
    if call is None:
        raise NotFound(f"No call with id {call_id}.")
    return call


async def list_calls(
    session: AsyncSession, *, pool_account: str | None, page: PageParams
) -> tuple[list[Call], int]:
    """Calls, oldest first."""
    return await repository.page_calls(session, pool_account=pool_account, page=page)


async def express_interest(
    session: AsyncSession, *, call_id: int, data: InterestCreate, principal: Principal
) -> Interest:
    """A non-binding expression of interest, accepted until the call closes."""
    call = await get_call(session, call_id=call_id)
    writable_organisation(principal, data.organisation_number)
    if clock.now() >= call.closes_at:
        raise _not_open(call, f"Call {call.id} closed at {call.closes_at.isoformat()}.")
    interest = await repository.add_interest(
        session,
        Interest(
            call_id=call.id,
            organisation_number=data.organisation_number,
            organiser_name=data.organiser_name,
            school_count=data.school_count,
            note=data.note,
            created_by=principal.client_id,
        ),
    )
    await audit.record(
        session,
        principal=principal,
        action="interest.created",
        object_type="interest",
        object_id=interest.id,
        detail={"call_id": call.id, "organisation_number": interest.organisation_number},
    )
    return interest


async def list_interests(
    session: AsyncSession, *, call_id: int, principal: Principal, page: PageParams
) -> tuple[list[Interest], int]:
    """A call's expressions of interest (an organiser sees its own)."""
    await get_call(session, call_id=call_id)
    return await repository.page_interests(session, call_id=call_id, principal=principal, page=page)


def _application_errors(call: Call, data: ApplicationCreate) -> list[dict[str, Any]]:
    errors = []
    number = data.organisation_number
    if call.eligible == Eligible.municipal and not number.startswith(MUNICIPALITY_PREFIX):
        errors.append(
            field_error(
                "body.organisation_number",
                "this call is open to municipal school organisers only (212000-NNNN)",
                number,
            )
        )
    schools = data.school_unit_codes
    if len(set(schools)) != len(schools):
        errors.append(field_error("body.school_unit_codes", "a school is named twice", schools))
    elif not call.min_schools <= len(schools) <= call.max_schools:
        errors.append(
            field_error(
                "body.school_unit_codes",
                f"name {call.min_schools} to {call.max_schools} schools",
                schools,
            )
        )
    if data.requested_amount_ore > call.max_amount_ore:
        errors.append(
            field_error(
                "body.requested_amount_ore",
                f"at most {kronor(call.max_amount_ore)} ({call.max_amount_ore} öre) per organiser",
                data.requested_amount_ore,
            )
        )
    return errors


async def add_event(
    session: AsyncSession,
    application: Application,
    *,
    event: ApplicationStep,
    principal: Principal,
    amount_ore: int | None = None,
    transfer: Transfer | None = None,
    note: str | None = None,
) -> None:
    """Keep one step of the application's history (the application's changes are written
    with it), and audit it."""
    await repository.add(
        session,
        ApplicationEvent(
            application_id=application.id,
            event=event.value,
            state=application.state,
            amount_ore=amount_ore,
            transfer_id=transfer.id if transfer else None,
            note=note,
            actor=principal.client_id,
            request_id=current_request_id(),
        ),
    )
    await audit.record(
        session,
        principal=principal,
        action=f"application.{event.value}",
        object_type="application",
        object_id=application.id,
        detail={
            "state": application.state,
            "amount_ore": amount_ore,
            "transfer_id": transfer.id if transfer else None,
        },
    )


async def submit_application(
    session: AsyncSession, *, call_id: int, data: ApplicationCreate, principal: Principal
) -> ApplicationDetail:
    """An organiser's application to an open call (one per organiser and call)."""
    call = await get_call(session, call_id=call_id)
    writable_organisation(principal, data.organisation_number)
    errors = _application_errors(call, data)
    if errors:
        raise invalid_many(errors)
    if not call.is_open():
        raise _not_open(
            call,
            f"Call {call.id} takes applications from {call.opens_at.isoformat()} "
            f"until {call.closes_at.isoformat()}.",
        )
    if call.requires_interest:
        await _require_interest(session, call, data.organisation_number)
    application = await repository.add_application(
        session,
        Application(
            call_id=call.id,
            organisation_number=data.organisation_number,
            organiser_name=data.organiser_name,
            school_unit_codes=list(data.school_unit_codes),
            requested_amount_ore=data.requested_amount_ore,
            method=data.method,
            plan=data.plan,
            state=ApplicationState.submitted.value,
            created_by=principal.client_id,
        ),
    )
    await add_event(
        session,
        application,
        event=ApplicationStep.submitted,
        principal=principal,
        amount_ore=data.requested_amount_ore,
    )
    return await views.detail(session, application)


async def _require_interest(session: AsyncSession, call: Call, organisation_number: str) -> None:
    """409 interest-required unless the organiser expressed interest in the call."""
    if not await repository.has_interest(
        session, call_id=call.id, organisation_number=organisation_number
    ):
        raise InterestRequired(
            f"Call {call.id} takes applications only from organisers that expressed interest "
            f"first; {organisation_number} did not.",
            call_id=call.id,
            organisation_number=organisation_number,
        )


async def get_application(
    session: AsyncSession, *, application_id: int, principal: Principal
) -> ApplicationDetail:
    """One application with its money and history, if the principal may see it (an
    organiser its own; else 404)."""
    application = await repository.get_application(session, application_id)
    return await views.detail(session, _visible(application, application_id, principal))


async def lock_application(
    session: AsyncSession, *, application_id: int, principal: Principal
) -> Application:
    """One application the principal may see, its row held until the transaction ends so
    that its steps never interleave."""
    application = await repository.lock_application(session, application_id)
    return _visible(application, application_id, principal)


def _visible(
    application: Application | None, application_id: int, principal: Principal
) -> Application:
    if application is None:
        raise NotFound(f"No application with id {application_id}.")
    visible_organisation(principal, application.organisation_number, "application")
    return application


async def list_applications(
    session: AsyncSession, *, principal: Principal, filters: ApplicationFilter, page: PageParams
) -> tuple[list[ApplicationRead], int]:
    """The applications that match the filters, with their money, oldest first (an organiser
    sees its own)."""
    rows, total = await repository.page_applications(
        session, principal=principal, filters=filters, page=page
    )
    return await views.applications(session, rows), total


async def all_applications(
    session: AsyncSession, *, principal: Principal, filters: ApplicationFilter
) -> list[ApplicationRead]:
    """Every application that matches the filters, with its money (an organiser: its own)."""
    rows = await repository.all_applications(session, principal=principal, filters=filters)
    return await views.applications(session, rows)
