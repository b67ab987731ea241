"""The summary: every account of the tree with its budget, allocated, paid and available."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from services.funding.accounts import repository as accounts
from services.funding.accounts.models import Account
from services.funding.summary.schemas import SummaryRow

COLUMNS = list(SummaryRow.model_fields)
_TEXT_COLUMNS = {"code", "name", "kind", "parent_code", "county_code", "organisation_number"}


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


def _cell(column: str, value: object, *, excel: bool) -> object:
    if value is None:
        return ""
    if excel and column in _TEXT_COLUMNS and str(value)[:1] in ("=", "+", "-", "@"):
        return f"'{value}"  # a spreadsheet must not run text as a formula
    return value


def to_csv(rows: list[SummaryRow], *, excel: bool) -> bytes:
    """CSV with a header row; for Swedish Excel semicolon-separated with a UTF-8 BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        values = row.model_dump()
        writer.writerow([_cell(c, values[c], excel=excel) for c in COLUMNS])
    return (("\ufeff" if excel else "") + out.getvalue()).encode("utf-8")
