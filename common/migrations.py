"""The one Alembic environment every app's `env.py` runs, and the calls that run it.

Each app's environment sees its own schema only, keeps its version table there, and connects
as the app's own role, so what a migration creates belongs to that role.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[1]
ALEMBIC_INI = ROOT / "alembic.ini"
URL_ATTRIBUTE = "connection_url"


def _include_name(schema: str) -> Callable[[str | None, str, object], bool]:
    """Alembic's `include_name`: of the schemas, only the app's own."""

    def include(name: str | None, type_: str, parent_names: object) -> bool:
        return name == schema if type_ == "schema" else True

    return include


def _configure(connection: Connection, schema: str, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=_include_name(schema),
        compare_type=True,
        compare_server_default=True,
    )


def _run_online(connection: Connection, schema: str, metadata: MetaData) -> None:
    exists = connection.execute(
        text("SELECT 1 FROM pg_namespace WHERE nspname = :schema"), {"schema": schema}
    ).scalar()
    if not exists:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    connection.execute(text(f'SET LOCAL search_path TO "{schema}"'))
    _configure(connection, schema, metadata)
    context.run_migrations()
    connection.commit()


async def _run_async(url: URL | str, schema: str, metadata: MetaData) -> None:
    engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_online, schema, metadata)
    finally:
        await engine.dispose()


def run_environment(schema: str, metadata: MetaData) -> None:
    """Body of each app's `env.py`: online against the URL given by the caller."""
    config = context.config
    url = config.attributes.get(URL_ATTRIBUTE) or config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=metadata,
            version_table_schema=schema,
            literal_binds=True,
            include_schemas=True,
            include_name=_include_name(schema),
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    if not url:
        raise RuntimeError("No database URL for the migration; use `kvf db init`.")
    asyncio.run(_run_async(url, schema, metadata))


def alembic_config(section: str, url: URL | None = None) -> Config:
    """The Alembic config of one app (a section of the one alembic.ini)."""
    config = Config(str(ALEMBIC_INI), ini_section=section)
    if url is not None:
        config.attributes[URL_ATTRIBUTE] = url
    return config


def upgrade(section: str, url: URL, revision: str = "head") -> None:
    """Run one app's migrations up to `revision`; blocking (call it off the event loop)."""
    command.upgrade(alembic_config(section, url), revision)


def downgrade(section: str, url: URL, revision: str = "base") -> None:
    """Run one app's migrations down to `revision`; blocking (call it off the event loop)."""
    command.downgrade(alembic_config(section, url), revision)


def _applied(connection: Connection, schema: str) -> set[str]:
    context = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return set(context.get_current_heads())


async def is_at_head(section: str, url: URL) -> bool:
    """Whether one app's schema is at the head of its scripts, so that `upgrade` has nothing
    to do: the revisions in its version table (none before its first migration) are the
    scripts' heads. Reading them costs one connection, where `upgrade` loads the app's models
    and runs its environment."""
    heads = set(ScriptDirectory.from_config(alembic_config(section)).get_heads())
    engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            applied = await connection.run_sync(_applied, section)
    finally:
        await engine.dispose()
    return applied == heads
