"""Calls, expressions of interest and applications: who may apply, when, for how much."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role, visible_organisation, writable_organisation
from common.context import current_request_id
from common.pagination import PageParams
from common.problems import NotFound
from services.funding.accounts import repository as accounts
from services.funding.audit import service as audit
from services.funding.grants import repository
from services.funding.grants.models import Application, ApplicationEvent, Call, Interest
from services.funding.grants.schemas import (
    ApplicationCreate,
    ApplicationState,
    CallCreate,
    Eligible,
    InterestCreate,
)
from services.funding.problems import (
    AlreadyApplied,
    CallNotOpen,
    InterestExists,
    field_error,
    invalid_many,
)
from services.funding.transfers import repository as transfers
from services.funding.transfers.models import Transfer

MUNICIPALITY_PREFIX = "212000-"  # every Swedish municipality's organisationsnummer


def call_year(call: Call) -> int:
    """A call's year: its pool account's (an account's code begins with its year)."""
    return int(call.pool_account.split(".", 1)[0])


def is_open(call: Call, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return call.opens_at <= now < call.closes_at


async def create_call(session: AsyncSession, *, data: CallCreate, actor: Principal) -> Call:
    """A call paid from a budget account (the pool)."""
    pool = await accounts.get(session, data.pool_account)
    errors = []
    if pool is None or pool.kind != "budget":
        message = "no such account" if pool is None else "the pool must be a budget account"
        errors.append(field_error("body.pool_account", message, data.pool_account))
    if data.closes_at <= data.opens_at:
        errors.append(
            field_error("body.closes_at", "must be after opens_at", data.closes_at.isoformat())
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
            created_by=actor.client_id,
        ),
    )
    await audit.record(
        session,
        actor=actor,
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
    condition: ColumnElement[bool] = true()
    if pool_account is not None:
        condition &= Call.pool_account == pool_account
    return await repository.page_calls(
        session, condition=condition, limit=page.limit, offset=page.offset
    )


async def express_interest(
    session: AsyncSession, *, call_id: int, data: InterestCreate, principal: Principal
) -> Interest:
    """A non-binding expression of interest, accepted until the call closes."""
    call = await get_call(session, call_id=call_id)
    writable_organisation(principal, data.organisation_number)
    if datetime.now(UTC) >= call.closes_at:
        raise CallNotOpen(
            f"Call {call.id} closed at {call.closes_at.isoformat()}.",
            opens_at=call.opens_at.isoformat(),
            closes_at=call.closes_at.isoformat(),
        )
    conflict = InterestExists(
        f"{data.organisation_number} has already expressed interest in call {call.id}."
    )
    if await repository.find_interest(session, call.id, data.organisation_number):
        raise conflict
    try:
        interest = await repository.add(
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
    except IntegrityError as exc:  # a concurrent request got there first
        raise conflict from exc
    await audit.record(
        session,
        actor=principal,
        action="interest.created",
        object_type="interest",
        object_id=interest.id,
        detail={"call_id": call.id, "organisation_number": interest.organisation_number},
    )
    return interest


def _own(principal: Principal, column: Any) -> ColumnElement[bool]:
    if principal.role is Role.organiser:
        return column == principal.organisation_number  # type: ignore[no-any-return]
    return true()


async def list_interests(
    session: AsyncSession, *, call_id: int, principal: Principal, page: PageParams
) -> tuple[list[Interest], int]:
    """A call's expressions of interest (an organiser sees its own)."""
    await get_call(session, call_id=call_id)
    condition = (Interest.call_id == call_id) & _own(principal, Interest.organisation_number)
    return await repository.page_interests(
        session, condition=condition, limit=page.limit, offset=page.offset
    )


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
                f"at most {call.max_amount_ore} öre per organiser",
                data.requested_amount_ore,
            )
        )
    return errors


async def add_event(
    session: AsyncSession,
    application: Application,
    *,
    event: str,
    actor: Principal,
    amount_ore: int | None = None,
    transfer: Transfer | None = None,
    note: str | None = None,
) -> None:
    """Keep one step of the application's history, and audit it."""
    await repository.add(
        session,
        ApplicationEvent(
            application_id=application.id,
            event=event,
            state=application.state,
            amount_ore=amount_ore,
            transfer_id=transfer.id if transfer else None,
            note=note,
            actor=actor.client_id,
            request_id=current_request_id(),
        ),
    )
    await audit.record(
        session,
        actor=actor,
        action=f"application.{event}",
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
) -> Application:
    """An organiser's application to an open call (one per organiser and call)."""
    call = await get_call(session, call_id=call_id)
    writable_organisation(principal, data.organisation_number)
    errors = _application_errors(call, data)
    if errors:
        raise invalid_many(errors)
    if not is_open(call):
        raise CallNotOpen(
            f"Call {call.id} takes applications from {call.opens_at.isoformat()} "
            f"until {call.closes_at.isoformat()}.",
            opens_at=call.opens_at.isoformat(),
            closes_at=call.closes_at.isoformat(),
        )
    conflict = AlreadyApplied(f"{data.organisation_number} has already applied to call {call.id}.")
    if await repository.find_application(session, call.id, data.organisation_number):
        raise conflict
    try:
        application = await repository.add(
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
    except IntegrityError as exc:  # a concurrent request got there first
        raise conflict from exc
    await add_event(
        session,
        application,
        event="submitted",
        actor=principal,
        amount_ore=data.requested_amount_ore,
    )
    return application


@dataclass(frozen=True)
class Money:
    """An application's money, from its transfers."""

    reserved_ore: int = 0
    paid_ore: int = 0
    repaid_ore: int = 0


def money_of(rows: list[Transfer]) -> Money:
    reserved = sum(t.amount_ore for t in rows if t.kind == "grant" and t.state == "pending")
    paid = sum(t.amount_ore for t in rows if t.kind == "payment" and t.state == "posted")
    repaid = sum(t.amount_ore for t in rows if t.kind == "repayment" and t.state == "posted")
    return Money(reserved_ore=reserved, paid_ore=paid, repaid_ore=repaid)


async def money(session: AsyncSession, applications: list[Application]) -> dict[int, Money]:
    rows = await transfers.of_application(session, [a.id for a in applications])
    return {a.id: money_of([t for t in rows if t.application_id == a.id]) for a in applications}


async def get_application(
    session: AsyncSession, *, application_id: int, principal: Principal, lock: bool = False
) -> Application:
    """One application, if the principal may see it (an organiser its own; else 404)."""
    application = await repository.get_application(session, application_id, lock=lock)
    if application is None:
        raise NotFound(f"No application with id {application_id}.")
    visible_organisation(principal, application.organisation_number, "application")
    return application


async def history(session: AsyncSession, application: Application) -> list[ApplicationEvent]:
    """The application's steps, oldest first."""
    return await repository.events(session, application.id)


async def list_applications(
    session: AsyncSession,
    *,
    principal: Principal,
    call_id: int | None,
    state: ApplicationState | None,
    organisation_number: str | None,
    page: PageParams,
) -> tuple[list[Application], int]:
    """Applications, oldest first (an organiser sees its own)."""
    condition = _own(principal, Application.organisation_number)
    if call_id is not None:
        condition &= Application.call_id == call_id
    if state is not None:
        condition &= Application.state == state.value
    if organisation_number is not None:
        condition &= Application.organisation_number == organisation_number
    return await repository.page_applications(
        session, condition=condition, limit=page.limit, offset=page.offset
    )
