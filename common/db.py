"""The database kit: one engine per app, one session (and transaction) per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, Any, TypeVar, TypeVarTuple

from fastapi import Depends, FastAPI, Request
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    MetaData,
    Select,
    event,
    func,
    select,
    text,
)
from sqlalchemy.engine import URL, Dialect, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from common.pagination import PageParams
from common.problems import AlreadyExists

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """The MetaData of one app: its schema and the shared naming convention."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


class SchemaBase(DeclarativeBase):
    """Marker base; each app declares `class Base(SchemaBase)` with its own metadata."""

    __abstract__ = True


def enum_check(column: str, enum: type[StrEnum], *, name: str | None = None) -> CheckConstraint:
    """A CHECK that `column` holds one of the enum's values, its text made from the enum so
    that the two cannot drift apart: `kind IN ('source', 'budget', ...)` (NULL passes)."""
    values = ", ".join(f"'{member.value}'" for member in enum)
    return CheckConstraint(f"{column} IN ({values})", name=name or column)


Entity = TypeVar("Entity")
Columns = TypeVarTuple("Columns")


async def insert_or_raise(session: AsyncSession, row: Entity, exists: AlreadyExists) -> Entity:
    """Add `row` and flush it; when a unique constraint says it is already there (a
    concurrent request got there first), raise `exists` instead. Check for an existing row
    first where a clear answer matters: this is the guard behind that check."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise exists from exc
    return row


def equal_to(*filters: tuple[Any, object]) -> list[ColumnElement[bool]]:
    """`column = value` for each (column, value) whose value is given (None: no condition)."""
    return [column == value for column, value in filters if value is not None]


async def count_of(session: AsyncSession, statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows a statement selects."""
    counted: Select[Any] = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(await session.scalar(counted) or 0)


async def page_of(
    session: AsyncSession, statement: Select[Entity], page: PageParams
) -> tuple[list[Entity], int]:
    """One page of an ordered one-entity statement, and how many rows it selects in all."""
    rows = await session.scalars(statement.limit(page.limit).offset(page.offset))
    return list(rows), await count_of(session, statement)


async def rows_page_of(
    session: AsyncSession, statement: Select[*Columns], page: PageParams
) -> tuple[list[Row[*Columns]], int]:
    """The same for a statement of several columns: its rows."""
    rows = await session.execute(statement.limit(page.limit).offset(page.offset))
    return list(rows), await count_of(session, statement)


def _socket_gone_is_refused(
    dialect: Dialect, record: object, cargs: list[Any], cparams: dict[str, Any]
) -> Any:
    """A server on a unix socket that has stopped has no socket file: connecting raises
    FileNotFoundError, which says no more than a refused TCP connection does."""
    try:
        return dialect.connect(*cargs, **cparams)
    except FileNotFoundError as exc:
        raise ConnectionRefusedError(exc.errno, "The database's socket is gone") from exc


def make_engine(url: URL, *, application_name: str, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine that fails fast when the database is unreachable."""
    engine = create_async_engine(
        url,
        # Most connections kept: an overflow connection is closed when it comes back, so a
        # steady load above the kept ones would connect afresh for every request (py-spy of
        # funding under 32 clients: 4 % of its time in connecting). The most it may open
        # is the same as before: twice `pool_size`.
        pool_size=pool_size + (3 * pool_size + 4) // 5,
        max_overflow=2 * pool_size - (pool_size + (3 * pool_size + 4) // 5),
        pool_timeout=5,
        # No ping before each checkout (a round trip per request): a connection the server
        # dropped fails its statement as a disconnect, which is 503 and makes the pool drop
        # every connection older than that, so the next request connects afresh.
        pool_pre_ping=False,
        hide_parameters=True,  # a failed statement's values (answers, secrets) never reach a log
        connect_args={
            "timeout": 3,
            "command_timeout": 60,
            "server_settings": {"application_name": application_name, "timezone": "UTC"},
        },
    )
    event.listen(engine.sync_engine, "do_connect", _socket_gone_is_refused)
    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed before the response leaves, else rolled back."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def database_reachable(engine: AsyncEngine) -> bool:
    """True when a `SELECT 1` answers."""
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


@asynccontextmanager
async def database_lifespan(app: FastAPI, url: URL, *, pool_size: int) -> AsyncIterator[None]:
    """Owns the app's engine for the app's lifetime."""
    engine = make_engine(url, application_name=app.state.info.name, pool_size=pool_size)
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    try:
        yield
    finally:
        await engine.dispose()
