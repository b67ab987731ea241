"""A call as a managed thing: its texts, window, rules and deadline changed by an admin, each
change kept with its earlier value, who made it, when and why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.context import current_request_id
from common.pagination import PageParams
from common.problems import NotFound, field_error, invalid_many
from services.funding.audit import service as audit
from services.funding.grants import repository
from services.funding.grants import service as grants
from services.funding.grants.case_schemas import CallUpdate
from services.funding.grants.models import Call, CallChange
from services.funding.problems import CallHasApplications

NOT_NULL = ("title", "opens_at", "closes_at", "requires_interest", "rolling")


def _json(value: object) -> object:
    """A value as the API writes it (times RFC 3339 in UTC, with `Z`)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value


def _changed(call: Call, data: CallUpdate) -> dict[str, Any]:
    """The fields given that differ from the call's, with their new values."""
    given = data.model_dump(include=data.model_fields_set - {"reason"})
    in_utc = {
        name: value.astimezone(UTC) if isinstance(value, datetime) else value
        for name, value in given.items()
    }
    return {name: value for name, value in in_utc.items() if getattr(call, name) != value}


def _check(call: Call, data: CallUpdate, changes: dict[str, Any], years: range) -> None:
    """422 for a null where a value is needed, or a window or deadline that does not fit."""
    errors = [
        field_error(f"body.{name}", "may not be null")
        for name in NOT_NULL
        if name in data.model_fields_set and getattr(data, name) is None
    ]
    if errors:
        raise invalid_many(errors)
    errors = grants.window_errors(
        year=call.year,
        years=years,
        opens_at=changes.get("opens_at", call.opens_at),
        closes_at=changes.get("closes_at", call.closes_at),
        report_due_at=changes.get("report_due_at", call.report_due_at),
    )
    if errors:
        raise invalid_many(errors)


async def _refuse_with_applications(
    session: AsyncSession, call: Call, changes: dict[str, Any]
) -> None:
    """409 call-has-applications for moving the opening or shortening the window of a call
    that has applications: they were made under the window as it was."""
    moved = "opens_at" in changes
    shortened = "closes_at" in changes and changes["closes_at"] < call.closes_at
    if (moved or shortened) and await repository.has_applications(session, call.id):
        what = "move its opening" if moved else "close it earlier"
        raise CallHasApplications(
            f"Call {call.id} has applications: its window may be extended, not {what}.",
            opens_at=call.opens_at.isoformat(),
            closes_at=call.closes_at.isoformat(),
        )


async def update_call(
    session: AsyncSession, *, call_id: int, data: CallUpdate, principal: Principal, years: range
) -> Call:
    """Change the fields given, keeping the change (before, after, who, when, why); fields
    equal to the call's are no change, and a request with none changes nothing."""
    call = await repository.lock_call(session, call_id)
    if call is None:
        raise NotFound(f"No call with id {call_id}.")
    changes = _changed(call, data)
    _check(call, data, changes, years)
    if not changes:
        return call
    await _refuse_with_applications(session, call, changes)
    before = {name: _json(getattr(call, name)) for name in changes}
    for name, value in changes.items():
        setattr(call, name, value)
    change = await repository.add(
        session,
        CallChange(
            call_id=call.id,
            before=before,
            after={name: _json(value) for name, value in changes.items()},
            reason=data.reason,
            actor=principal.client_id,
            request_id=current_request_id(),
        ),
    )
    await audit.record(
        session,
        principal=principal,
        action="call.changed",
        object_type="call",
        object_id=call.id,
        detail={"change_id": change.id, "fields": sorted(changes)},
    )
    return call


async def list_changes(
    session: AsyncSession, *, call_id: int, page: PageParams
) -> tuple[list[CallChange], int]:
    """A call's changes, oldest first."""
    await grants.get_call(session, call_id=call_id)
    return await repository.page_changes(session, call_id=call_id, page=page)
