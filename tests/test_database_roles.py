"""Each app's login role owns its schema and can reach no other; `kvf db init` is repeatable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy.engine import URL

from common.settings import role_name
from kvf.apps import SCHEMAS
from kvf.database import init_database
from tests.database import DatabaseRun


def dsn(url: URL) -> str:
    """A plain libpq URL for asyncpg."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def fetch(url: URL, query: str, *args: Any) -> list[dict[str, Any]]:
    connection = await asyncpg.connect(dsn(url))
    try:
        return [dict(row) for row in await connection.fetch(query, *args)]
    finally:
        await connection.close()


def version_query(schema: str) -> str:
    """The app's Alembic version row."""
    return f'SELECT version_num FROM "{schema}".alembic_version'  # noqa: S608  # our own schema names


def other(schema: str) -> str:
    return SCHEMAS[(SCHEMAS.index(schema) + 1) % len(SCHEMAS)]


class TestSchemaIsolation:
    async def test_funding_role_cannot_read_the_goals_schema(
        self, test_run: DatabaseRun, database: str
    ) -> None:
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await fetch(
                test_run.role_url(database, "funding"), "SELECT * FROM goals.alembic_version"
            )

    @pytest.mark.parametrize("schema", SCHEMAS)
    async def test_role_reads_its_own_schema_and_not_the_next_one(
        self, test_run: DatabaseRun, database: str, schema: str
    ) -> None:
        url = test_run.role_url(database, schema)

        own = await fetch(url, version_query(schema))

        assert len(own) == 1
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await fetch(url, version_query(other(schema)))

    @pytest.mark.parametrize("schema", SCHEMAS)
    async def test_role_cannot_create_tables_in_another_schema(
        self, test_run: DatabaseRun, database: str, schema: str
    ) -> None:
        url = test_run.role_url(database, schema)

        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError):
            await fetch(url, f'CREATE TABLE "{other(schema)}".intruder (id int)')

    @pytest.mark.parametrize("schema", SCHEMAS)
    async def test_each_role_owns_its_schema_and_everything_in_it(
        self, test_run: DatabaseRun, database: str, schema: str
    ) -> None:
        owner = test_run.owner_url(database)
        role = role_name(test_run.prefix, schema)

        schema_owner = await fetch(
            owner,
            "SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1",
            schema,
        )
        object_owners = await fetch(
            owner,
            "SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1",
            schema,
        )

        assert schema_owner == [{"owner": role}]
        assert object_owners == [{"owner": role}]


SNAPSHOT_QUERIES = {
    "schemas": "SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl "
    "FROM pg_namespace WHERE nspname = ANY($1::text[]) ORDER BY nspname",
    "relations": "SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner) AS owner, "
    "c.relacl::text AS acl FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ANY($1::text[]) ORDER BY 1, 2",
    "columns": "SELECT table_schema, table_name, column_name, data_type, is_nullable, "
    "column_default FROM information_schema.columns WHERE table_schema = ANY($1::text[]) "
    "ORDER BY 1, 2, 3",
    "database": "SELECT datacl::text AS acl FROM pg_database "
    "WHERE datname = current_database() AND $1::text[] IS NOT NULL",
}


async def snapshot(test_run: DatabaseRun, database: str) -> dict[str, Any]:
    """Who owns and may do what in each app's schema, its tables, and each app's version."""
    owner = test_run.owner_url(database)
    state: dict[str, Any] = {
        name: await fetch(owner, query, list(SCHEMAS)) for name, query in SNAPSHOT_QUERIES.items()
    }
    for schema in SCHEMAS:
        state[f"{schema}.version"] = await fetch(owner, version_query(schema))
    return state


@pytest.fixture
async def empty_database(test_run: DatabaseRun) -> AsyncIterator[str]:
    name = await test_run.create_empty()
    try:
        yield name
    finally:
        await test_run.drop(name)


class TestInitDatabase:
    async def test_second_run_succeeds_and_changes_nothing(
        self, test_run: DatabaseRun, empty_database: str
    ) -> None:
        owner = test_run.owner_url(empty_database).render_as_string(hide_password=False)

        await init_database(owner, prefix=test_run.prefix, passwords=test_run.passwords)
        first = await snapshot(test_run, empty_database)
        await init_database(owner, prefix=test_run.prefix, passwords=test_run.passwords)
        second = await snapshot(test_run, empty_database)

        assert second == first
        assert [row["nspname"] for row in first["schemas"]] == sorted(SCHEMAS)
