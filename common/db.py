"""The database kit: one engine per app, one session (and transaction) per request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import Annotated, TypeVar

from fastapi import Depends, FastAPI, Request
from sqlalchemy import CheckConstraint, MetaData, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

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


Row = TypeVar("Row")


async def insert_or_raise(session: AsyncSession, row: Row, exists: AlreadyExists) -> Row:
    """Add `row` and flush it; when a unique constraint says it is already there (a
    concurrent request got there first), raise `exists` instead. Check for an existing row
    first where a clear answer matters: this is the guard behind that check."""
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise exists from exc
    return row


def make_engine(url: URL, *, application_name: str, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine that fails fast when the database is unreachable."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=5,
        pool_pre_ping=True,
        hide_parameters=True,  # a failed statement's values (answers, secrets) never reach a log
        connect_args={
            "timeout": 3,
            "command_timeout": 60,
            "server_settings": {"application_name": application_name, "timezone": "UTC"},
        },
    )


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
