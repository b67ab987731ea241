"""Every query on api_client and login_failure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.models import ApiClient, LoginFailure


async def get(session: AsyncSession, client_id: str) -> ApiClient | None:
    return await session.get(ApiClient, client_id)


async def add(session: AsyncSession, client: ApiClient) -> ApiClient:
    session.add(client)
    await session.flush()
    await session.refresh(client)
    return client


async def page(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[ApiClient], int]:
    total = await session.scalar(select(func.count()).select_from(ApiClient)) or 0
    rows = await session.scalars(
        select(ApiClient)
        .order_by(ApiClient.created_at, ApiClient.client_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


async def count_admins(session: AsyncSession) -> int:
    query = select(func.count()).where(ApiClient.role == "admin", ApiClient.revoked_at.is_(None))
    return await session.scalar(query) or 0


async def failure_state(session: AsyncSession, client_id: str) -> LoginFailure | None:
    return await session.get(LoginFailure, client_id, with_for_update=True)


async def record_failure(
    session: AsyncSession,
    client_id: str,
    *,
    now: datetime,
    window_start: datetime,
    limit: int,
    locked_until: datetime,
) -> LoginFailure:
    """Count one failure in the current window; lock the client id when the limit is reached."""
    values = insert(LoginFailure).values(
        client_id=client_id, failures=1, window_started_at=now, locked_until=None
    )
    statement = values.on_conflict_do_update(
        index_elements=[LoginFailure.client_id],
        set_={
            "failures": case(
                (LoginFailure.window_started_at < window_start, 1),
                else_=LoginFailure.failures + 1,
            ),
            "window_started_at": case(
                (LoginFailure.window_started_at < window_start, now),
                else_=LoginFailure.window_started_at,
            ),
        },
    ).returning(LoginFailure)
    failure: LoginFailure = (await session.scalars(statement)).one()
    if failure.failures >= limit:
        failure.locked_until = locked_until
        await session.flush()
    return failure


async def clear_failures(session: AsyncSession, client_id: str) -> None:
    failure = await session.get(LoginFailure, client_id)
    if failure is not None:
        await session.delete(failure)
        await session.flush()
