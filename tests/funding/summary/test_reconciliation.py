"""The summary reconciles: after the seeded year and a whole grants cycle (an interest, an
application, a decision after the call closed, a correction, a payment in parts, a
use-of-funds report, settlement and a repayment), every figure adds up across the tree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from kvf.seed import SCHOOL_POOL, seed_async
from tests.funding.grants.support import CaseGrants
from tests.funding.support import API, MALMO
from tests.support import expect

MSEK = 100_000_000


async def summary(grants: CaseGrants) -> dict[str, dict[str, Any]]:
    response = await grants.client.get(
        f"{API}/summary", params={"year": 2019}, headers=grants.ledger.admin
    )
    return {row["code"]: row for row in expect(response, 200)["accounts"]}


def walk(rows: dict[str, dict[str, Any]]) -> None:
    """Every rule of the summary, at every account."""
    children: dict[str, list[dict[str, Any]]] = {code: [] for code in rows}
    for row in rows.values():
        if row["parent_code"] in children:
            children[row["parent_code"]].append(row)
    for code, row in rows.items():
        assert row["available_ore"] == (
            row["budget_ore"] - row["allocated_ore"] + row["returned_ore"] - row["repaid_ore"]
        ), code
        if row["kind"] == "budget":
            given = sum(child["budget_ore"] for child in children[code])
            assert row["allocated_ore"] == given + row["reserved_ore"], code
            assert row["available_ore"] >= 0, code
    tops = [row for row in rows.values() if row["kind"] == "budget" and not row["parent_code"]]
    assert rows["2019.staten"]["allocated_ore"] == sum(row["budget_ore"] for row in tops)


async def test_every_budget_node_reconciles_after_a_whole_grants_cycle(
    grants: CaseGrants,
) -> None:
    admin = grants.ledger.admin
    await seed_async(grants.client, admin)
    [call] = expect(await grants.client.get(f"{API}/calls", headers=admin), 200)["items"]
    # The call opened 10 June 2019; an organiser says it is interested, then applies.
    grants.clock.now = datetime(2019, 8, 1, 10, tzinfo=UTC)
    interest = await grants.express_interest(
        call["id"],
        {"organisation_number": MALMO, "organiser_name": "Malmö stad", "school_count": 2},
        grants.organiser(MALMO),
    )
    expect(interest, 201)
    application = await grants.applied(call["id"], MALMO)
    walk(await summary(grants))

    # Decided after the call closed: 200 000 kr reserved on the school pool.
    grants.clock.now = datetime(2019, 11, 15, 10, tzinfo=UTC)
    decided = await grants.step(
        application["id"], "decision", {"decision": "approve", "approved_amount_ore": 20_000_000}
    )
    assert expect(decided, 200)["reserved_ore"] == 20_000_000
    rows = await summary(grants)
    walk(rows)
    assert rows[SCHOOL_POOL]["reserved_ore"] == 20_000_000

    # A correction: 10 000 kr of county 12's allocation goes back to the RSS pool.
    county = "2019.kvinnofrid.rss.12"
    [allocation] = await grants.ledger.transfers(to_account=county, kind="allocation")
    await grants.ledger.transferred(
        county, "2019.kvinnofrid.rss", 1_000_000, kind="correction", corrects_id=allocation["id"]
    )
    walk(await summary(grants))

    # Paid in two parts; the last part waits for the approved report.
    expect(await grants.step(application["id"], "payments", {"amount_ore": 15_000_000}), 201)
    await grants.approved_report(application["id"], used_amount_ore=18_000_000)
    expect(await grants.step(application["id"], "payments", {"amount_ore": 5_000_000}), 201)
    settled = await grants.step(application["id"], "settlement", {})
    assert expect(settled, 200)["state"] == "repayment_due"
    # 20 000 kr unused: paid back in part.
    expect(await grants.step(application["id"], "repayments", {"amount_ore": 1_500_000}), 201)

    rows = await summary(grants)
    walk(rows)
    pool, organiser = rows[SCHOOL_POOL], rows[f"{SCHOOL_POOL}.{MALMO.replace('-', '')}"]
    assert (pool["budget_ore"], pool["supplementary_ore"]) == (7 * MSEK, 7 * MSEK)
    assert (pool["allocated_ore"], pool["paid_ore"], pool["reserved_ore"]) == (
        20_000_000,
        20_000_000,
        0,
    )
    assert pool["returned_ore"] == 1_500_000
    assert pool["available_ore"] == 7 * MSEK - 20_000_000 + 1_500_000
    assert (organiser["budget_ore"], organiser["repaid_ore"]) == (20_000_000, 1_500_000)
    assert organiser["available_ore"] == 18_500_000
    rss = rows["2019.kvinnofrid.rss"]
    assert (rss["budget_ore"], rss["allocated_ore"]) == (9 * MSEK, 9 * MSEK - 1_000_000)
    assert rss["paid_ore"] == 9 * MSEK - 1_000_000
    assert rows[county]["budget_ore"] == 42_857_143 - 1_000_000
    assert rows["2019.kvinnofrid"]["allocated_ore"] == 16 * MSEK  # 9 to the RSS, 7 to schools
    assert rows["2019.overenskommelse"]["budget_ore"] == 32 * MSEK
