"""Rules of report versions: every submission and approval keeps one, numbered 1, 2, ...;
nothing ever changes a kept version. An rss reads its own county's, a reader approved ones
only (404 for the rest, as for an object it may not see)."""

from dataclasses import asdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal, Role
from common.pagination import Page, PageParams
from common.problems import NotFound
from services.goals.indicators.measures import Value
from services.goals.plans.models import Plan
from services.goals.reports import repository as reports
from services.goals.reports.content import narrative_reads, plan_indicators, value_reads
from services.goals.reports.models import Report
from services.goals.reports.service import visible_report
from services.goals.versions import repository
from services.goals.versions.models import ReportVersion
from services.goals.versions.schemas import ReportVersionRead, ReportVersionSummary, VersionKind


def snapshot(values: dict[int, Value], narratives: dict[str, str]) -> dict[str, Any]:
    """A report's content as a version keeps it."""
    return {
        "values": [
            {"indicator_id": indicator_id, **asdict(value)}
            for indicator_id, value in sorted(values.items())
        ],
        "narratives": dict(sorted(narratives.items())),
    }


def values_in(content: dict[str, Any]) -> dict[int, Value]:
    """The values a version keeps, by indicator id."""
    return {
        entry["indicator_id"]: Value(**{k: v for k, v in entry.items() if k != "indicator_id"})
        for entry in content["values"]
    }


async def keep(
    session: AsyncSession, *, report: Report, principal: Principal, kind: VersionKind
) -> None:
    """Keep the report's current values and narratives as its next version (the report's
    row is locked by the caller, so two versions never get one number)."""
    values = (await reports.values_of(session, [report.id]))[report.id]
    narratives = await reports.narratives_of(session, report.id)
    repository.add(
        session,
        ReportVersion(
            report_id=report.id,
            number=await repository.next_number(session, report.id),
            kind=kind,
            report_version=report.version,
            content=snapshot(values, narratives),
            created_by=principal.client_id,
            actor_role=principal.role.value,
        ),
    )


def _summary(version: ReportVersion) -> dict[str, Any]:
    return {
        "report_id": version.report_id,
        "number": version.number,
        "kind": version.kind,
        "state": version.kind,  # a version is kept as the report enters that state
        "report_version": version.report_version,
        "created_by": version.created_by,
        "actor_role": version.actor_role,
        "created_at": version.created_at,
    }


def _kind_for(principal: Principal) -> VersionKind | None:
    """The versions a principal may read: a reader approved ones only."""
    return VersionKind.approved if principal.role is Role.reader else None


async def _report(
    session: AsyncSession, principal: Principal, report_id: int
) -> tuple[Report, Plan]:
    """The report, if the principal may see it: 404 for another county's rss, and for a
    reader unless the report has an approved version."""
    report, plan = await visible_report(session, principal=principal, report_id=report_id)
    kind = _kind_for(principal)
    if kind is not None and not await repository.has_kind(session, report.id, kind):
        raise NotFound(f"No report {report_id}.")
    return report, plan


async def list_versions(
    session: AsyncSession, *, principal: Principal, report_id: int, page: PageParams
) -> Page[ReportVersionSummary]:
    """The report's kept versions, oldest first."""
    report, _ = await _report(session, principal, report_id)
    rows, total = await repository.page_of_report(
        session, report.id, kind=_kind_for(principal), page=page
    )
    return Page.of([ReportVersionSummary(**_summary(row)) for row in rows], total, page)


async def get_version(
    session: AsyncSession, *, principal: Principal, report_id: int, number: int
) -> ReportVersionRead:
    """One kept version, with its values and narratives as they were."""
    report, plan = await _report(session, principal, report_id)
    version = await repository.get(session, report.id, number)
    kind = _kind_for(principal)
    if version is None or (kind is not None and version.kind != kind):
        raise NotFound(f"Report {report_id} has no version {number}.")
    by_id = await plan_indicators(session, plan)
    return ReportVersionRead(
        **_summary(version),
        county_code=plan.county_code,
        year=plan.year,
        period=report.period,
        values=value_reads(values_in(version.content), by_id),
        narratives=narrative_reads(version.content["narratives"]),
    )
