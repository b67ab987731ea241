"""The summary: every account of the tree with its budget, allocated, paid and available."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from common import csvfile
from common.auth import Principal
from services.funding.accounts import repository as accounts
from services.funding.accounts.models import Account
from services.funding.summary.schemas import SummaryRow

COLUMNS = list(SummaryRow.model_fields)


def _row(account: Account, level: int) -> SummaryRow:
    return SummaryRow(
        year=account.year,
        code=account.code,
        name=account.name,
        kind=account.kind,
        parent_code=account.parent_code,
        level=level,
        county_code=account.county_code,
        organisation_number=account.organisation_number,
        budget_ore=account.credited_ore,
        allocated_ore=account.debited_ore + account.pending_ore,
        paid_ore=account.debited_ore,
        available_ore=account.available_ore,
    )


def _tree_order(rows: list[Account]) -> list[SummaryRow]:
    """Parents before children, siblings by code (an account whose parent is hidden is a root)."""
    codes = {a.code for a in rows}
    children: dict[str | None, list[Account]] = defaultdict(list)
    for account in sorted(rows, key=lambda a: (a.year, a.code)):
        parent = account.parent_code if account.parent_code in codes else None
        children[parent].append(account)
    ordered: list[SummaryRow] = []
    stack = [(a, 0) for a in reversed(children[None])]
    while stack:
        account, level = stack.pop()
        ordered.append(_row(account, level))
        stack += [(child, level + 1) for child in reversed(children[account.code])]
    return ordered


async def summary(
    session: AsyncSession, *, year: int | None, principal: Principal
) -> list[SummaryRow]:
    """The tree of `year` (or of every year): an rss principal sees the budget accounts and its
    own county's, no other county's and no organiser's."""
    return _tree_order(await accounts.summary_rows(session, year=year, principal=principal))


def to_csv(rows: list[SummaryRow], *, excel: bool) -> bytes:
    """CSV with a header row, made safe to open (common.csvfile); for Swedish Excel
    semicolon-separated with a UTF-8 BOM."""
    table = [COLUMNS, *([row.model_dump()[column] for column in COLUMNS] for row in rows)]
    return csvfile.document(table, excel=excel)
