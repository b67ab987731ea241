"""The migrated schema: the lookups the API makes have indexes, the CHECKs stand guard."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import DBAPIError

from tests.database import DatabaseRun
from tests.funding.support import database_rows

# (table, indexed columns) the API's filters and the ledger's locks rely on.
LOOKUPS = [
    ("account", "parent_code"),
    ("account", "year, kind"),
    ("account", "county_code"),
    ("account", "organisation_number"),
    ("transfer", "from_account"),
    ("transfer", "to_account"),
    ("transfer", "created_at"),
    ("transfer", "application_id"),
    ("audit_event", "created_at"),
    ("grant_application", "call_id"),
    ("grant_application", "organisation_number"),
    ("grant_application_event", "application_id"),
    ("idempotency_key", "expires_at"),
]

INDEXES = """
SELECT t.relname, string_agg(a.attname, ', ' ORDER BY k.ordinality)
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
WHERE n.nspname = 'funding'
GROUP BY i.indexrelid, t.relname
"""

TWO_ACCOUNTS = (
    "INSERT INTO funding.account (code, name, year, kind, created_by) "
    "VALUES ('2019.x', 'x', 2019, 'budget', 't'), ('2019.y', 'y', 2019, 'budget', 't')"
)
BAD_ROWS = [
    (
        "INSERT INTO funding.transfer (from_account, to_account, amount_ore, kind, state, "
        "created_by) VALUES ('2019.x', '2019.x', 1, 'grant', 'posted', 't')",
        "not_to_self",
    ),
    (
        "INSERT INTO funding.transfer (from_account, to_account, amount_ore, kind, state, "
        "created_by) VALUES ('2019.x', '2019.y', 0, 'grant', 'posted', 't')",
        "amount_positive",
    ),
    (
        "INSERT INTO funding.account (code, name, year, kind, created_by) "
        "VALUES ('2019.z', 'z', 2019, 'county', 't')",
        "county_code_only_for_county",
    ),
    (
        "INSERT INTO funding.account (code, name, year, kind, created_by, debited_ore) "
        "VALUES ('2019.w', 'w', 2019, 'budget', 't', 1)",
        "no_overspend",
    ),
]


async def test_the_account_and_time_lookups_have_indexes(
    test_run: DatabaseRun, database: str
) -> None:
    rows = await database_rows(test_run.role_url(database, "funding"), INDEXES)

    indexed = {(table, columns) for table, columns in rows}
    missing = [lookup for lookup in LOOKUPS if lookup not in indexed]
    assert missing == []


@pytest.mark.parametrize(("statement", "constraint"), BAD_ROWS)
async def test_checks_refuse_bad_rows_even_from_sql(
    test_run: DatabaseRun, database: str, statement: str, constraint: str
) -> None:
    url = test_run.role_url(database, "funding")
    await database_rows(url, TWO_ACCOUNTS)

    with pytest.raises(DBAPIError, match=constraint):
        await database_rows(url, statement)
