"""The results report's sections, built from what the API returned (`fetch.ResultsData`):
text, tables and charts, every amount formatted from integer öre."""

from __future__ import annotations

import re
import textwrap
from collections import defaultdict
from typing import Any

from common.reference import COUNTIES, MUNICIPALITIES
from kvf.documents import charts
from kvf.documents.blocks import (
    NOT_APPROVED,
    Block,
    chart,
    heading,
    hidden,
    not_public,
    notice,
    section,
    table,
    text,
)
from kvf.documents.fetch import NotPublic, ResultsData
from kvf.documents.formatting import DASH, day, grouped, kronor, shown

GRANTED = {"approved", "paid", "repayment_due", "closed"}
UNKNOWN_COUNTY = "Okänt län / County unknown"


def swedish(name: str) -> str:
    """The Swedish half of a "svenska / English" name."""
    return name.split(" / ")[0]


def _sum(rows: list[dict[str, Any]], field: str) -> int:
    return sum(int(row[field] or 0) for row in rows)


def money(data: ResultsData) -> dict[str, Any]:
    """Medlen / The money: the flow from the state to the RSS and the school grants, and
    each county's allocation."""
    blocks: list[Block]
    if isinstance(data.summary, NotPublic):
        blocks = [not_public("Medlens fördelning", "The funding figures")]
    elif not data.summary:
        blocks = [notice("Inga medel är registrerade för året.", "No funds are recorded.")]
    else:
        blocks = _flow(data.summary) + _counties(data.summary)
    return section("money", "Medlen", "The money", blocks)


def _flow(accounts: list[dict[str, Any]]) -> list[Block]:
    tree = [row for row in accounts if row["kind"] in ("source", "budget")]
    source = next((row["code"] for row in tree if row["kind"] == "source"), None)
    supplement = {row["code"]: int(row["supplementary_ore"]) for row in tree}
    nodes = []
    for row in tree:
        is_source = row["kind"] == "source"
        # The state's appropriation feeds the agreement: draw it as the tree's root.
        parent = row["parent_code"] or (None if is_source else source)
        roots = [r for r in tree if r["kind"] != "source" and r["parent_code"] is None]
        nodes.append(
            charts.FlowNode(
                code=row["code"],
                parent=parent,
                label=textwrap.fill(swedish(row["name"]), 30),
                ore=int(row["allocated_ore"] if is_source else row["budget_ore"]),
                supplementary_ore=(
                    sum(supplement[r["code"]] for r in roots)
                    if is_source
                    else supplement[row["code"]]
                ),
            )
        )
    total_supplement = max(supplement.values(), default=0)
    svg = charts.money_flow(nodes, title="Medlens väg / How the money flowed")
    rows = [
        [
            swedish(row["name"]),
            kronor(row["allocated_ore"] if row["kind"] == "source" else row["budget_ore"]),
            kronor(row["supplementary_ore"]),
            kronor(row["allocated_ore"]),
            kronor(row["paid_ore"]),
            kronor(row["available_ore"]) if row["kind"] != "source" else DASH,
        ]
        for row in tree
    ]
    return [
        text(
            "Staten betalar medlen till överenskommelsen, som fördelar dem på",
            "kvinnofridssatsningen och jämställdhetssatsningen; kvinnofridssatsningen",
            "fördelar vidare till de regionala stödstrukturerna (RSS) och till",
            f"utvecklingsmedel för skolor. Förstärkningen i juni 2019 ({kronor(total_supplement)})",
            "visas för sig. / The state's funds run through the agreement to its two",
            "initiatives, and on to the RSS and the school grants; the June 2019 supplement",
            "is shown as such.",
        ),
        chart(svg, "Figur 1. Medlens väg / Figure 1. How the money flowed"),
        table(
            [
                "Konto / Account",
                "Budget",
                "Varav förstärkning / Of which supplement",
                "Fördelat / Allocated",
                "Utbetalt / Paid",
                "Kvar / Available",
            ],
            rows,
        ),
    ]


def _counties(accounts: list[dict[str, Any]]) -> list[Block]:
    counties = sorted(
        (row for row in accounts if row["kind"] == "county"), key=lambda r: r["county_code"]
    )
    if not counties:
        return []
    names = [COUNTIES[row["county_code"]].name for row in counties]
    svg = charts.bars(
        names,
        [int(row["budget_ore"]) / 100_000 for row in counties],  # drawing only
        title="Medel till RSS per län / Funds to the RSS by county",
        unit="Tusen kronor (tkr) / Thousand SEK",
    )
    rows = [
        [name, row["county_code"], kronor(row["budget_ore"]), kronor(row["available_ore"])]
        for name, row in zip(names, counties, strict=True)
    ]
    rows.append(
        [
            "Summa / Total",
            "",
            kronor(_sum(counties, "budget_ore")),
            kronor(_sum(counties, "available_ore")),
        ]
    )
    return [
        heading("Medel per län", "Funds by county"),
        chart(svg, "Figur 2. Medel till RSS per län / Figure 2. Funds to the RSS by county"),
        table(
            ["Län / County", "Kod / Code", "Tilldelat / Allocated", "Kvar / Available"],
            rows,
            numeric_from=2,
            total=True,
        ),
    ]


def grants(data: ResultsData) -> dict[str, Any]:
    """Utvecklingsmedel / School grants: the pool, then organisers and schools by county."""
    blocks = _pool(data)
    if isinstance(data.applications, NotPublic) or isinstance(data.calls, NotPublic):
        blocks.append(not_public("Ansökningar och beslut", "Applications and decisions"))
    else:
        calls = {call["id"]: call for call in data.calls if call["year"] == data.year}
        applications = [a for a in data.applications if a["call_id"] in calls]
        blocks += _calls(list(calls.values())) + _decided(applications)
    return section("grants", "Utvecklingsmedel till skolhuvudmän", "School grants", blocks)


def _pool(data: ResultsData) -> list[Block]:
    if isinstance(data.summary, NotPublic):
        return []
    pools = [
        row
        for row in data.summary
        if row["kind"] == "budget" and row["supplementary_ore"] and row["level"] > 1
    ]
    return [
        table(
            [
                "Medel / Pool",
                "Budget",
                "Beslutat / Decided",
                "Reserverat / Reserved",
                "Utbetalt / Paid",
                "Återbetalt / Returned",
            ],
            [
                [
                    swedish(row["name"]),
                    kronor(row["budget_ore"]),
                    kronor(row["allocated_ore"]),
                    kronor(row["reserved_ore"]),
                    kronor(row["paid_ore"]),
                    kronor(row["returned_ore"]),
                ]
                for row in pools
            ],
        )
    ]


def _calls(calls: list[dict[str, Any]]) -> list[Block]:
    if not calls:
        return [notice("Ingen utlysning gjordes under året.", "No call was made in the year.")]
    rows = [
        [
            call["title"],
            f"{day(call['opens_at'])} – {day(call['closes_at'])}",
            kronor(call["max_amount_per_organiser_ore"]),
            day(call["report_due_at"]),
        ]
        for call in calls
    ]
    columns = [
        "Utlysning / Call",
        "Öppen / Open",
        "Högst per huvudman / Maximum per organiser",
        "Redovisas senast / Report due",
    ]
    return [heading("Utlysningar", "Calls"), table(columns, rows, numeric_from=2)]


_SUFFIX = re.compile(r"s?\s+(kommun|stad)$", re.IGNORECASE)
_BY_NAME = {municipality.name.casefold(): municipality for municipality in MUNICIPALITIES.values()}


def county_of(organiser_name: str) -> str:
    """The county of a municipal organiser, by its name ("Malmö stad", "Uppsala kommun");
    an organiser whose name is no municipality's is in no known county."""
    name = organiser_name.strip()
    for candidate in (name, _SUFFIX.sub("", name), re.sub(r"\s+(kommun|stad)$", "", name)):
        municipality = _BY_NAME.get(candidate.casefold())
        if municipality is not None:
            return COUNTIES[municipality.county_code].name
    return UNKNOWN_COUNTY


def _decided(applications: list[dict[str, Any]]) -> list[Block]:
    granted = [a for a in applications if a["state"] in GRANTED]
    rejected = sum(a["state"] == "rejected" for a in applications)
    summary = text(
        f"{len(applications)} ansökningar kom in; {len(granted)} beviljades och {rejected}",
        f"avslogs. / {len(applications)} applications were received; {len(granted)} were",
        f"granted and {rejected} rejected.",
    )
    if not granted:
        return [heading("Beviljade medel per län", "Grants by county"), summary]
    by_county: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for application in granted:
        by_county[county_of(application["organiser_name"])].append(application)
    order = sorted(by_county, key=lambda name: (name == UNKNOWN_COUNTY, name))
    rows = [_grant_row(name, by_county[name]) for name in order]
    rows.append(_grant_row("Summa / Total", granted))
    svg = charts.bars(
        order,
        [_sum(by_county[name], "approved_amount_ore") / 100_000 for name in order],
        title="Beviljade utvecklingsmedel per län / School grants decided by county",
        unit="Tusen kronor (tkr) / Thousand SEK",
    )
    columns = [
        "Län / County",
        "Huvudmän / Organisers",
        "Skolor / Schools",
        "Beslutat / Decided",
        "Utbetalt / Paid",
        "Använt / Used",
        "Återbetalt / Repaid",
    ]
    return [
        heading("Beviljade medel per län", "Grants by county"),
        summary,
        chart(svg, "Figur 3. Beviljade medel per län / Figure 3. Grants by county"),
        table(columns, rows, total=True),
    ]


def _grant_row(name: str, applications: list[dict[str, Any]]) -> list[str]:
    used = [a for a in applications if a["used_amount_ore"] is not None]
    return [
        name,
        grouped(len({a["organisation_number"] for a in applications})),
        grouped(sum(len(a["school_unit_codes"]) for a in applications)),
        kronor(_sum(applications, "approved_amount_ore")),
        kronor(_sum(applications, "paid_ore")),
        kronor(_sum(used, "used_amount_ore")) if used else DASH,
        kronor(_sum(applications, "repaid_ore")),
    ]


STATES = {
    "no_plan": "Ingen plan / No plan",
    "plan": "Plan, ingen rapport / Plan, no report",
    "draft": "Utkast / Draft",
    "submitted": "Inskickad / Submitted",
    "returned": "Återsänd / Returned",
    "approved": "Godkänd / Approved",
    "overdue": "Försenad / Overdue",
}


def follow_up(data: ResultsData) -> dict[str, Any]:
    """Uppföljning / Follow-up: the counties' reporting and the national indicators."""
    if isinstance(data.progress, NotPublic):
        blocks = [not_public("Uppföljningens uppgifter", "The follow-up figures")]
    else:
        goals = data.progress["goals"]
        blocks = _goals(goals) + _reporting(goals, data.statuses) + _national(data, goals)
    return section("follow-up", "Uppföljning", "Follow-up", blocks)


def _count(value: int | None, of: int) -> str:
    return hidden(NOT_APPROVED) if value is None else f"{value} av {of}"


def _goals(goals: list[dict[str, Any]]) -> list[Block]:
    rows = [
        [
            f"{goal['goal_code']} {goal['title']}",
            _count(goal["counties_with_plan"], goal["of"]),
            _count(goal["counties_with_submitted_report"], goal["of"]),
            _count(goal["counties_with_approved_report"], goal["of"]),
        ]
        for goal in goals
    ]
    columns = [
        "Mål / Goal",
        "Län med plan / With a plan",
        "Inskickad rapport / Report submitted",
        "Godkänd rapport / Report approved",
    ]
    return [heading("Länens planer och rapporter", "The counties' plans and reports")] + (
        [table(columns, rows)] if rows else [notice("Inga mål.", "No goals.")]
    )


def _reporting(
    goals: list[dict[str, Any]], statuses: dict[str, dict[str, Any]] | NotPublic
) -> list[Block]:
    """The 21 counties: whether each has an approved report (every reader sees this), and
    its state in each opened period (internal)."""
    missing: set[str] = set()
    for goal in goals[:1] or []:
        missing = {c["county_code"] for c in goal["counties_without_approved_report"]}
    periods = {} if isinstance(statuses, NotPublic) else statuses
    states = {
        period: {row["county_code"]: row["state"] for row in status["counties"]}
        for period, status in periods.items()
    }
    rows = [
        [
            county.name,
            "Nej / No" if code in missing or not goals else "Ja / Yes",
            *(STATES.get(states[p].get(code, ""), DASH) for p in periods),
        ]
        for code, county in COUNTIES.items()
    ]
    blocks = [
        heading("Rapportering per län", "Reporting by county"),
        table(["Län / County", "Godkänd rapport / Approved report", *periods], rows),
    ]
    if isinstance(statuses, NotPublic):
        blocks.append(
            text(
                "Länens status per rapportperiod visas bara i den interna versionen. /",
                "The counties' state in each reporting period is shown internally only.",
            )
        )
    return blocks


def _national(data: ResultsData, goals: list[dict[str, Any]]) -> list[Block]:
    catalogue = [] if isinstance(data.national, NotPublic) else data.national
    found = {
        indicator["national_code"]: indicator
        for goal in goals
        for indicator in goal["indicators"]
        if indicator["national_code"]
    }
    blocks = [heading("Nationella indikatorer per län", "National indicators by county")]
    if not catalogue:
        return [*blocks, notice("Inga nationella indikatorer.", "No national indicators.")]
    for item in catalogue:
        indicator = found.get(item["code"])
        title = f"{item['code']}: {item['name']}" + (
            f" / {item['name_en']}" if item["name_en"] else ""
        )
        blocks.append(text(title))
        rows = [_indicator_row(c) for c in (indicator or {}).get("counties", []) if c["latest"]]
        if not rows:
            blocks.append(
                notice(
                    "Inget län har ännu ett godkänt värde.",
                    "No county has an approved value yet.",
                )
            )
            continue
        rows.append(_aggregate_row((indicator or {}).get("aggregate")))
        columns = [
            "Län / County",
            "Utgångsvärde / Baseline",
            "Målvärde / Target",
            "Värde / Value",
            "Mot målet / Against target",
        ]
        blocks.append(table(columns, rows, total=True))
    return blocks


def _indicator_row(county: dict[str, Any]) -> list[str]:
    reached = {"met": "Uppnått / Met", "not_met": "Ej uppnått / Not met"}
    return [
        county["county_name"],
        shown(county["baseline"]),
        shown(county["target"]),
        shown(county["latest"]["value"]),
        reached.get(county["vs_target"] or "", DASH),
    ]


def _aggregate_row(aggregate: dict[str, Any] | None) -> list[str]:
    if not aggregate:
        return ["Riket / Sweden", DASH, DASH, DASH, DASH]
    value = aggregate["value"]
    if value is None and aggregate["share"] is not None:
        value = f"{shown(aggregate['share'])} % ja / yes"
    return [
        f"Riket / Sweden ({aggregate['counties']} av {aggregate['of']} län)",
        shown(aggregate["baseline"]),
        shown(aggregate["target"]),
        shown(value),
        DASH,
    ]
