"""The summary: every account of the tree with what it was given, passed on, paid out, got back
and has left (see `schemas` for each figure, `repository` for how they are counted)."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from common import csvfile
from common.auth import Principal
from services.funding.accounts import repository as accounts
from services.funding.accounts.models import Account
from services.funding.money import kronor_figure
from services.funding.summary import repository
from services.funding.summary.repository import Figures
from services.funding.summary.schemas import SummaryRow

NOTHING = Figures()


def _row(account: Account, level: int, money: Figures) -> SummaryRow:
    return SummaryRow(
        year=account.year,
        code=account.code,
        name=account.name,
        kind=account.kind,
        parent_code=account.parent_code,
        level=level,
        county_code=account.county_code,
        organisation_number=account.organisation_number,
        budget_ore=money.budget,
        supplementary_ore=money.supplementary,
        allocated_ore=money.allocated + account.pending_ore,
        reserved_ore=account.pending_ore,
        paid_ore=money.paid,
        returned_ore=money.returned,
        repaid_ore=money.repaid,
        # The ledger's own figure; the summary's parts add up to it (tests/funding/summary).
        available_ore=account.available_ore,
    )


def _tree_order(rows: list[Account], money: dict[str, Figures]) -> list[SummaryRow]:
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
        ordered.append(_row(account, level, money.get(account.code, NOTHING)))
        stack += [(child, level + 1) for child in reversed(children[account.code])]
    return ordered


async def summary(
    session: AsyncSession, *, year: int | None, principal: Principal
) -> list[SummaryRow]:
    """The tree of `year` (or of every year): an rss principal sees the budget accounts and its
    own county's, no other county's and no organiser's."""
    rows = await accounts.summary_rows(session, year=year, principal=principal)
    return _tree_order(rows, await repository.figures(session, year=year))


def _csv_columns() -> list[str]:
    """The row's fields, each amount in öre followed by the same in kronor (`budget_kr`)."""
    columns: list[str] = []
    for name in SummaryRow.model_fields:
        columns.append(name)
        if name.endswith("_ore"):
            columns.append(name.removesuffix("_ore") + "_kr")
    return columns


CSV_COLUMNS = _csv_columns()


def to_csv(rows: list[SummaryRow], *, excel: bool) -> bytes:
    """CSV with a header row, made safe to open (common.csvfile), kronor beside öre; for
    Swedish Excel semicolon-separated with a UTF-8 BOM, decimal commas and codes kept as
    text (`01` stays `01`)."""
    table: list[list[object]] = [list(CSV_COLUMNS)]
    for row in rows:
        values = row.model_dump()
        table.append(
            [
                kronor_figure(values[column.removesuffix("_kr") + "_ore"])
                if column.endswith("_kr")
                else values[column]
                for column in CSV_COLUMNS
            ]
        )
    return csvfile.document(table, excel=excel)
