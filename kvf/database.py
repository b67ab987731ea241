"""`kvf db init`: roles, schemas and every app's migrations; safe to run again."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlalchemy.pool import NullPool

from common.migrations import is_at_head, upgrade
from common.settings import asyncpg_url, role_name
from kvf.apps import SCHEMAS

logger = logging.getLogger("kvf.db")

_CREATE_ROLE = """
DO $$
BEGIN
    CREATE ROLE {role} LOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
"""


async def _quoted(connection: AsyncConnection, template: str, *values: str) -> str:
    """Build a utility statement with PostgreSQL's own quoting (format with %I and %L)."""
    params = {f"v{i}": value for i, value in enumerate(values)}
    placeholders = ", ".join(f"CAST(:v{i} AS text)" for i in range(len(values)))
    statement = text(f"SELECT format('{template}', {placeholders})")
    return str((await connection.execute(statement, params)).scalar_one())


async def _prepare_schema(
    connection: AsyncConnection, database: str, schema: str, role: str, password: str | None
) -> None:
    quoted_role = await _quoted(connection, "%I", role)
    await connection.execute(text(_CREATE_ROLE.format(role=quoted_role)))
    if password:
        await connection.execute(
            text(await _quoted(connection, "ALTER ROLE %I WITH LOGIN PASSWORD %L", role, password))
        )
    for template, values in (
        ("GRANT CONNECT ON DATABASE %I TO %I", (database, role)),
        ("CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I", (schema, role)),
        ("ALTER SCHEMA %I OWNER TO %I", (schema, role)),
        ("REVOKE ALL ON SCHEMA %I FROM PUBLIC", (schema,)),
    ):
        await connection.execute(text(await _quoted(connection, template, *values)))


def app_url(owner: URL, prefix: str, schema: str, password: str | None) -> URL:
    """The URL an app's role connects with, on the owner's server and database."""
    return owner.set(username=role_name(prefix, schema), password=password)


async def init_database(
    owner_url: str, *, prefix: str, passwords: Mapping[str, str | None]
) -> list[str]:
    """Create each app's login role and schema (owned by the role), then migrate each app
    whose schema is behind its scripts; returns the schemas it migrated."""
    owner = asyncpg_url(owner_url)
    engine = create_async_engine(
        owner, poolclass=NullPool, isolation_level="AUTOCOMMIT", hide_parameters=True
    )
    try:
        async with engine.connect() as connection:
            database = str((await connection.execute(text("SELECT current_database()"))).scalar())
            for schema in SCHEMAS:
                role = role_name(prefix, schema)
                await _prepare_schema(connection, database, schema, role, passwords.get(schema))
    finally:
        await engine.dispose()
    migrated = []
    for schema in SCHEMAS:
        url = app_url(owner, prefix, schema, passwords.get(schema))
        if await is_at_head(schema, url):
            continue
        await asyncio.to_thread(upgrade, schema, url)
        logger.info("migrated", extra={"schema": schema})
        migrated.append(schema)
    return migrated


def migrated_note(migrated: Sequence[str]) -> str:
    """A line for the user: the schemas just migrated, or that every one was at head."""
    if not migrated:
        return "Every schema is at the head of its migrations; none were run."
    return f"Migrated {', '.join(migrated)} to the head of its migrations."


async def drop_roles(owner_url: str, *, prefix: str) -> None:
    """Drop every app role (after the databases that hold their objects are gone)."""
    engine = create_async_engine(
        asyncpg_url(owner_url),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        hide_parameters=True,
    )
    try:
        async with engine.connect() as connection:
            for schema in SCHEMAS:
                role = role_name(prefix, schema)
                await connection.execute(
                    text(await _quoted(connection, "DROP ROLE IF EXISTS %I", role))
                )
    finally:
        await engine.dispose()
