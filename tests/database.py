"""One PostgreSQL per test session; one freshly made database per run, cloned per test.

The run migrates once into a template database with its own login roles (prefixed by the
run's id, so two runs on one server never meet), and each test gets a clone of it.
"""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from common.settings import PlatformSettings, asyncpg_url
from gateway.keys import SigningKey
from kvf.apps import SCHEMAS
from kvf.database import app_url, drop_roles, init_database


async def admin_execute(owner: URL, *statements: str) -> None:
    engine = create_async_engine(owner, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


@dataclass
class DatabaseRun:
    """The run's server, its role prefix and passwords, and the databases it made."""

    server: URL
    run_id: str = field(default_factory=lambda: secrets.token_hex(4))
    passwords: dict[str, str] = field(
        default_factory=lambda: {schema: secrets.token_urlsafe(24) for schema in SCHEMAS}
    )
    signing_key: SigningKey = field(default_factory=SigningKey.generate)
    _counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def prefix(self) -> str:
        return f"kvf_t{self.run_id}_"

    @property
    def template(self) -> str:
        return f"kvf_test_{self.run_id}_template"

    def owner_url(self, database: str) -> URL:
        return self.server.set(database=database)

    def role_url(self, database: str, schema: str) -> URL:
        return app_url(self.owner_url(database), self.prefix, schema, self.passwords[schema])

    def platform(self, database: str) -> PlatformSettings:
        return PlatformSettings(
            database_url=self.owner_url(database).render_as_string(hide_password=False),
            db_role_prefix=self.prefix,
        )

    async def create_empty(self) -> str:
        name = f"kvf_test_{self.run_id}_{next(self._counter)}"
        await admin_execute(self.server, f'CREATE DATABASE "{name}"')
        return name

    async def create_template(self) -> None:
        await admin_execute(self.server, f'CREATE DATABASE "{self.template}"')
        owner = self.owner_url(self.template).render_as_string(hide_password=False)
        await init_database(owner, prefix=self.prefix, passwords=self.passwords)

    async def clone(self) -> str:
        name = f"kvf_test_{self.run_id}_{next(self._counter)}"
        await admin_execute(self.server, f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    async def drop(self, name: str) -> None:
        await admin_execute(self.server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    async def drop_everything(self) -> None:
        engine = create_async_engine(self.server, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                names = (
                    await connection.execute(
                        text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                        {"pattern": f"kvf_test_{self.run_id}_%"},
                    )
                ).scalars()
                for name in list(names):
                    await connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        finally:
            await engine.dispose()
        await drop_roles(self.server.render_as_string(hide_password=False), prefix=self.prefix)


def server_url(configured: str) -> URL:
    return asyncpg_url(configured)
