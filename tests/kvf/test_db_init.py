"""`kvf db init` (and so `kvf up`) runs migrations only where a schema is behind its scripts:
on a database at head it runs none, and one schema behind is brought to head alone."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from common.migrations import downgrade, is_at_head
from kvf.apps import APPS, SCHEMAS
from tests.database import DatabaseRun

ROOT = Path(__file__).resolve().parents[2]


def _db_init(test_run: DatabaseRun, database: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`kvf db init` as a user runs it, on `database` with the run's roles."""
    owner = test_run.owner_url(database).set(drivername="postgresql")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update({f"{spec.env_prefix}DB_PASSWORD": test_run.passwords[spec.schema] for spec in APPS})
    env.update(
        KVF_HOME=str(home),
        KVF_DATABASE_URL=owner.render_as_string(hide_password=False),
        KVF_DB_ROLE_PREFIX=test_run.prefix,
    )
    return subprocess.run(  # our own interpreter and module
        [sys.executable, "-m", "kvf", "db", "init"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


async def _at_head(test_run: DatabaseRun, database: str) -> dict[str, bool]:
    return {
        schema: await is_at_head(schema, test_run.role_url(database, schema)) for schema in SCHEMAS
    }


class TestDbInit:
    async def test_on_a_database_at_head_no_migration_runs(
        self, test_run: DatabaseRun, database: str, tmp_path: Path
    ) -> None:
        result = await asyncio.to_thread(_db_init, test_run, database, tmp_path)

        assert result.returncode == 0, result.stderr
        assert "Every schema is at the head of its migrations; none were run." in result.stdout
        assert "Migrated" not in result.stdout
        assert await _at_head(test_run, database) == dict.fromkeys(SCHEMAS, True)

    async def test_a_schema_behind_head_is_migrated_and_only_that_one(
        self, test_run: DatabaseRun, database: str, tmp_path: Path
    ) -> None:
        goals = test_run.role_url(database, "goals")
        await asyncio.to_thread(downgrade, "goals", goals, "-1")
        assert not await is_at_head("goals", goals)

        result = await asyncio.to_thread(_db_init, test_run, database, tmp_path)

        assert result.returncode == 0, result.stderr
        assert "Migrated goals to the head of its migrations." in result.stdout
        assert await _at_head(test_run, database) == dict.fromkeys(SCHEMAS, True)

    async def test_an_empty_database_is_migrated_in_full(
        self, test_run: DatabaseRun, tmp_path: Path
    ) -> None:
        database = await test_run.create_empty()
        try:
            result = await asyncio.to_thread(_db_init, test_run, database, tmp_path)

            assert result.returncode == 0, result.stderr
            assert f"Migrated {', '.join(SCHEMAS)} to the head" in result.stdout
            assert await _at_head(test_run, database) == dict.fromkeys(SCHEMAS, True)
        finally:
            await test_run.drop(database)
