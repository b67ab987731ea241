"""A report's states: draft → submitted → approved, submitted → returned → submitted, and
approved → draft or returned by reopening. Every move is recorded."""

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, writable_county
from services.goals.plans import repository as plans
from services.goals.problems import InvalidStateTransition
from services.goals.reports.etag import check_if_match
from services.goals.reports.schemas import ReportAction, ReportRead, ReportState
from services.goals.reports.service import (
    bump,
    ensure_unlocked,
    record,
    report_read,
    visible_report,
)
from services.goals.versions import service as versions
from services.goals.versions.schemas import VersionKind

TRANSITIONS: dict[ReportAction, tuple[frozenset[ReportState], ReportState]] = {
    ReportAction.submit: (
        frozenset({ReportState.draft, ReportState.returned}),
        ReportState.submitted,
    ),
    ReportAction.approve: (frozenset({ReportState.submitted}), ReportState.approved),
    ReportAction.return_: (frozenset({ReportState.submitted}), ReportState.returned),
    ReportAction.reopen: (frozenset({ReportState.approved}), ReportState.returned),
}
"""Each move: the states it starts from, and where it leads (reopen: `to_state` may say)."""

KEEPS: dict[ReportAction, VersionKind] = {
    ReportAction.submit: VersionKind.submitted,
    ReportAction.approve: VersionKind.approved,
}
"""The moves that keep a version of the report's content."""


async def move(
    session: AsyncSession,
    *,
    principal: Principal,
    report_id: int,
    action: ReportAction,
    comment: str | None = None,
    to_state: ReportState | None = None,
    if_match: str | None = None,
) -> ReportRead:
    """Move the report by `action`; 409 report-locked or invalid-state-transition otherwise.
    A submission and an approval keep a version of the report's content."""
    report, plan = await visible_report(
        session, principal=principal, report_id=report_id, lock=True
    )
    writable_county(principal, plan.county_code)
    if action is ReportAction.approve:  # no change to the plan may pass an approval unseen
        await plans.hold_plan(session, plan.id, exclusive=True)
    allowed, target = TRANSITIONS[action]
    if action is not ReportAction.reopen:
        ensure_unlocked(report)
    if report.state not in allowed:
        raise InvalidStateTransition(
            f"Report {report.id} is {report.state}; `{action}` needs a report that is "
            f"{' or '.join(sorted(allowed))}.",
            report_id=report.id,
            state=report.state,
            action=action,
        )
    check_if_match(if_match, report.version, required=False)
    from_state = report.state
    report.state = to_state or target
    bump(report)
    record(
        session,
        report=report,
        principal=principal,
        action=action,
        from_state=from_state,
        comment=comment,
    )
    if action in KEEPS:
        await versions.keep(session, report=report, principal=principal, kind=KEEPS[action])
    return await report_read(session, report, plan)
