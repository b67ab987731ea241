"""Every app's migrations: one head, each revision up and down, models equal to the schema."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import MetaData, column, select, table, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from common.migrations import alembic_config, downgrade, upgrade
from kvf.apps import APPS, SCHEMAS, AppSpec
from kvf.database import init_database
from tests.database import DatabaseRun

SPECS = {spec.schema: spec for spec in APPS}


def script_directory(schema: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(schema))


def revisions_base_to_head(schema: str) -> list[Script]:
    return list(reversed(list(script_directory(schema).walk_revisions())))


def app_metadata(spec: AppSpec) -> MetaData:
    """The app's MetaData with every model registered, as its Alembic environment sees it."""
    package = spec.module.rsplit(".", 1)[0]
    importlib.import_module(f"{package}.models")
    metadata: MetaData = importlib.import_module(f"{package}.db").Base.metadata
    return metadata


async def run_sync(url: URL, work: Any, *args: Any) -> Any:
    """Run `work(connection, *args)` on a sync connection as the given role."""
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(work, *args)
    finally:
        await engine.dispose()


def _tables(connection: Connection, schema: str) -> set[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"), {"schema": schema}
    )
    return {row[0] for row in rows}


def _version(connection: Connection, schema: str) -> str | None:
    version_table = table("alembic_version", column("version_num"), schema=schema)
    row = connection.execute(select(version_table.c.version_num)).first()
    return None if row is None else str(row[0])


def _schema_diff(connection: Connection, schema: str, metadata: MetaData) -> list[Any]:
    def only_this_schema(name: str | None, type_: str, parent_names: object) -> bool:
        return name == schema if type_ == "schema" else True

    context = MigrationContext.configure(
        connection,
        opts={
            "target_metadata": metadata,
            "include_schemas": True,
            "include_name": only_this_schema,
            "version_table_schema": schema,
            "compare_type": True,
            "compare_server_default": True,
        },
    )
    diff: list[Any] = compare_metadata(context, metadata)
    return diff


@pytest.fixture
async def migrated(test_run: DatabaseRun) -> AsyncIterator[str]:
    """A new empty database given roles and schemas, and migrated, as `kvf db init` does."""
    name = await test_run.create_empty()
    owner = test_run.owner_url(name).render_as_string(hide_password=False)
    await init_database(owner, prefix=test_run.prefix, passwords=test_run.passwords)
    try:
        yield name
    finally:
        await test_run.drop(name)


class TestHistory:
    @pytest.mark.parametrize("schema", SCHEMAS)
    def test_environment_has_exactly_one_head_and_one_base(self, schema: str) -> None:
        scripts = script_directory(schema)

        assert len(scripts.get_heads()) == 1
        assert len(scripts.get_bases()) == 1


class TestUpAndDown:
    @pytest.mark.parametrize("schema", SCHEMAS)
    async def test_every_migration_goes_down_and_up_again(
        self, test_run: DatabaseRun, migrated: str, schema: str
    ) -> None:
        url = test_run.role_url(migrated, schema)
        head = script_directory(schema).get_current_head()
        assert await run_sync(url, _version, schema) == head

        await asyncio.to_thread(downgrade, schema, url, "base")
        assert await run_sync(url, _tables, schema) == {"alembic_version"}
        assert await run_sync(url, _version, schema) is None

        for script in revisions_base_to_head(schema):
            await asyncio.to_thread(upgrade, schema, url, script.revision)
            assert await run_sync(url, _version, schema) == script.revision
            tables_up = await run_sync(url, _tables, schema)
            await asyncio.to_thread(downgrade, schema, url, "-1")
            await asyncio.to_thread(upgrade, schema, url, script.revision)
            assert await run_sync(url, _tables, schema) == tables_up

        assert await run_sync(url, _version, schema) == head


class TestModelsMatchSchema:
    @pytest.mark.parametrize("schema", SCHEMAS)
    async def test_models_equal_the_migrated_schema(
        self, test_run: DatabaseRun, database: str, schema: str
    ) -> None:
        metadata = app_metadata(SPECS[schema])

        diff = await run_sync(test_run.role_url(database, schema), _schema_diff, schema, metadata)

        assert diff == []
