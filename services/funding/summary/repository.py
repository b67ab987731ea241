"""The summary's one query: each account's money by what it was for, from the posted transfers.

A correction counts as part of what it corrects: the same kind and decision, and between the
same two accounts in the original's direction (a correction that runs back, from the
original's receiver to its sender, is a negative amount of it). Every posted öre is counted
once, on both sides, so each account's figures add up to its ledger balance.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

_FIGURES = text(
    """
    WITH flows AS (
        SELECT coalesce(o.from_account, t.from_account) AS source,
               coalesce(o.to_account, t.to_account) AS target,
               coalesce(o.kind, t.kind) AS kind,
               coalesce(o.decision, t.decision) AS decision,
               CASE WHEN o.id IS NOT NULL AND t.from_account = o.to_account
                    THEN -t.amount_ore ELSE t.amount_ore END AS amount
        FROM funding.transfer AS t
        JOIN funding.account AS sender ON sender.code = t.from_account
        LEFT JOIN funding.transfer AS o ON o.id = t.corrects_id
        WHERE t.state = 'posted' AND (CAST(:year AS integer) IS NULL OR sender.year = :year)
    ),
    inflow AS (
        SELECT target AS code,
            sum(amount) FILTER (WHERE kind <> 'repayment') AS budget,
            sum(amount) FILTER (WHERE kind <> 'repayment' AND decision = 'supplementary')
                AS supplementary,
            sum(amount) FILTER (WHERE kind = 'repayment') AS returned
        FROM flows GROUP BY target
    ),
    outflow AS (
        SELECT f.source AS code,
            sum(f.amount) FILTER (WHERE f.kind <> 'repayment') AS allocated,
            sum(f.amount) FILTER (
                WHERE f.kind <> 'repayment' AND receiver.kind IN ('county', 'organiser')
            ) AS paid,
            sum(f.amount) FILTER (WHERE f.kind = 'repayment') AS repaid
        FROM flows AS f JOIN funding.account AS receiver ON receiver.code = f.target
        GROUP BY f.source
    )
    SELECT coalesce(i.code, o.code) AS code,
        coalesce(i.budget, 0)::bigint AS budget,
        coalesce(i.supplementary, 0)::bigint AS supplementary,
        coalesce(i.returned, 0)::bigint AS returned,
        coalesce(o.allocated, 0)::bigint AS allocated,
        coalesce(o.paid, 0)::bigint AS paid,
        coalesce(o.repaid, 0)::bigint AS repaid
    FROM inflow AS i FULL JOIN outflow AS o ON o.code = i.code
    """
).bindparams(bindparam("year", type_=Integer))


@dataclass(frozen=True)
class Figures:
    """An account's posted money by purpose, in öre (reservations are the account's own)."""

    budget: int = 0
    supplementary: int = 0
    returned: int = 0
    allocated: int = 0
    paid: int = 0
    repaid: int = 0


async def figures(session: AsyncSession, *, year: int | None) -> dict[str, Figures]:
    """Every account with posted money of `year` (of every year when None), by code."""
    rows = await session.execute(_FIGURES, {"year": year})
    return {
        row.code: Figures(
            budget=row.budget,
            supplementary=row.supplementary,
            returned=row.returned,
            allocated=row.allocated,
            paid=row.paid,
            repaid=row.repaid,
        )
        for row in rows
    }
