"""Every query on grant_call and its changes, grant_interest, grant_application and its events,
grant_report and grant_follow_up."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import ColumnElement, Select, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from common.auth import Principal, Role
from common.db import equal_to, insert_or_raise, page_of
from common.pagination import PageParams
from common.problems import AlreadyExists
from services.funding.db import Base
from services.funding.grants.models import (
    Application,
    ApplicationEvent,
    Call,
    CallChange,
    FollowUp,
    Interest,
    Report,
)
from services.funding.grants.schemas import ApplicationFilter
from services.funding.problems import AlreadyApplied, InterestExists

Row = TypeVar("Row", bound=Base)
PerOrganiser = TypeVar("PerOrganiser", Interest, Application)


async def add(session: AsyncSession, row: Row) -> Row:
    session.add(row)
    await session.flush()
    return row


def _own(principal: Principal, column: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """An organiser's own rows; every row for the other roles."""
    if principal.role is Role.organiser:
        return column == principal.organisation_number
    return true()


async def get_call(session: AsyncSession, call_id: int) -> Call | None:
    return await session.get(Call, call_id)


async def page_calls(
    session: AsyncSession, *, pool_account: str | None, page: PageParams
) -> tuple[list[Call], int]:
    """Calls, oldest first, of one pool account when it is given."""
    statement = select(Call).where(*equal_to((Call.pool_account, pool_account)))
    return await page_of(session, statement.order_by(Call.id), page)


async def add_interest(session: AsyncSession, interest: Interest) -> Interest:
    """Insert the interest; 409 interest-exists when the organiser has expressed interest in
    the call."""
    exists = InterestExists(
        f"{interest.organisation_number} has already expressed interest in call {interest.call_id}."
    )
    return await _add_once_per_organiser(session, interest, exists)


async def page_interests(
    session: AsyncSession, *, call_id: int, principal: Principal, page: PageParams
) -> tuple[list[Interest], int]:
    """A call's interests, oldest first; an organiser's own only."""
    statement = select(Interest).where(
        Interest.call_id == call_id, _own(principal, Interest.organisation_number)
    )
    return await page_of(session, statement.order_by(Interest.id), page)


async def add_application(session: AsyncSession, application: Application) -> Application:
    """Insert the application; 409 already-applied when the organiser has applied to the call."""
    exists = AlreadyApplied(
        f"{application.organisation_number} has already applied to call {application.call_id}."
    )
    return await _add_once_per_organiser(session, application, exists)


async def _add_once_per_organiser(
    session: AsyncSession, row: PerOrganiser, exists: AlreadyExists
) -> PerOrganiser:
    """Insert an organiser's interest or application in a call, unless it has one: `exists`
    when one is found first, or when a concurrent request inserts it first (the unique key)."""
    model = type(row)
    found = select(model.id).where(
        model.call_id == row.call_id, model.organisation_number == row.organisation_number
    )
    if await session.scalar(found) is not None:
        raise exists
    return await insert_or_raise(session, row, exists=exists)


def _application(application_id: int) -> Select[Application]:
    """The application as it is now (another request may have moved it on)."""
    statement = select(Application).where(Application.id == application_id)
    return statement.execution_options(populate_existing=True)


async def get_application(session: AsyncSession, application_id: int) -> Application | None:
    return (await session.scalars(_application(application_id))).one_or_none()


async def lock_application(session: AsyncSession, application_id: int) -> Application | None:
    """The application, its row held (FOR NO KEY UPDATE) so that its steps run one at a time."""
    statement = _application(application_id).with_for_update(key_share=True)
    return (await session.scalars(statement)).one_or_none()


def _applications(principal: Principal, filters: ApplicationFilter) -> Select[Application]:
    """The applications that match the filters, oldest first; an organiser's own only."""
    matching = equal_to(
        (Application.call_id, filters.call_id),
        (Application.state, filters.state),
        (Application.organisation_number, filters.organisation_number),
    )
    own = _own(principal, Application.organisation_number)
    return select(Application).where(own, *matching).order_by(Application.id)


async def page_applications(
    session: AsyncSession, *, principal: Principal, filters: ApplicationFilter, page: PageParams
) -> tuple[list[Application], int]:
    """One page of the applications that match the filters."""
    return await page_of(session, _applications(principal, filters), page)


async def all_applications(
    session: AsyncSession, *, principal: Principal, filters: ApplicationFilter
) -> list[Application]:
    """Every application that matches the filters."""
    return list(await session.scalars(_applications(principal, filters)))


async def has_interest(session: AsyncSession, *, call_id: int, organisation_number: str) -> bool:
    found = select(Interest.id).where(
        Interest.call_id == call_id, Interest.organisation_number == organisation_number
    )
    return await session.scalar(found) is not None


async def has_applications(session: AsyncSession, call_id: int) -> bool:
    found = select(Application.id).where(Application.call_id == call_id).limit(1)
    return await session.scalar(found) is not None


async def lock_call(session: AsyncSession, call_id: int) -> Call | None:
    """The call, its row held so that two changes (or a change and an application's count)
    never interleave."""
    statement = (
        select(Call)
        .where(Call.id == call_id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).one_or_none()


async def page_changes(
    session: AsyncSession, *, call_id: int, page: PageParams
) -> tuple[list[CallChange], int]:
    """A call's changes, oldest first."""
    statement = select(CallChange).where(CallChange.call_id == call_id).order_by(CallChange.id)
    return await page_of(session, statement, page)


async def follow_ups(session: AsyncSession, ids: set[int]) -> dict[int, FollowUp]:
    """The follow-up rounds of these ids, by id."""
    rows = await session.scalars(select(FollowUp).where(FollowUp.id.in_(ids)))
    return {row.id: row for row in rows}


async def follow_up(session: AsyncSession, *, call_id: int, round: int) -> FollowUp | None:
    found = select(FollowUp).where(FollowUp.call_id == call_id, FollowUp.round == round)
    return (await session.scalars(found)).one_or_none()


async def last_round(session: AsyncSession, call_id: int) -> int:
    """The call's last follow-up round (0 before the first)."""
    last = select(func.coalesce(func.max(FollowUp.round), 0)).where(FollowUp.call_id == call_id)
    return int(await session.scalar(last) or 0)


async def granted(session: AsyncSession, call_id: int) -> list[Application]:
    """The call's applications that were granted funds, oldest first."""
    statement = select(Application).where(
        Application.call_id == call_id, Application.approved_amount_ore.is_not(None)
    )
    return list(await session.scalars(statement.order_by(Application.id)))


async def reports(
    session: AsyncSession, application_ids: list[int], *, follow_up_id: int | None = None
) -> list[Report]:
    """The applications' reports, oldest first: to the follow-up round `follow_up_id`, or
    (None) on the grants themselves."""
    same_round = (
        Report.follow_up_id.is_(None)
        if follow_up_id is None
        else Report.follow_up_id == follow_up_id
    )
    statement = select(Report).where(Report.application_id.in_(application_ids), same_round)
    return list(await session.scalars(statement.order_by(Report.id)))


async def all_reports(session: AsyncSession, application_id: int) -> list[Report]:
    """Every report of an application, grant and follow-up ones, by number."""
    statement = select(Report).where(Report.application_id == application_id)
    return list(await session.scalars(statement.order_by(Report.number)))


async def report(session: AsyncSession, *, application_id: int, number: int) -> Report | None:
    found = select(Report).where(Report.application_id == application_id, Report.number == number)
    return (await session.scalars(found)).one_or_none()


async def events(session: AsyncSession, application_id: int) -> list[ApplicationEvent]:
    rows = await session.scalars(
        select(ApplicationEvent)
        .where(ApplicationEvent.application_id == application_id)
        .order_by(ApplicationEvent.id)
    )
    return list(rows)
