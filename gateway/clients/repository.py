"""Every query on api_client and login_failure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, select, tuple_
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


async def revoked_since(session: AsyncSession, since: datetime) -> dict[str, datetime]:
    """Client ids revoked after `since`, and when."""
    rows = await session.execute(
        select(ApiClient.client_id, ApiClient.revoked_at).where(ApiClient.revoked_at > since)
    )
    return {client_id: revoked_at for client_id, revoked_at in rows if revoked_at is not None}


async def get_for_token(session: AsyncSession, client_id: str) -> ApiClient | None:
    """The client, share-locked until the token is issued: a revocation waits for the token
    already being issued, and is stamped after it (see `revoke`)."""
    return await session.get(ApiClient, client_id, with_for_update={"read": True})


async def revoke(session: AsyncSession, client: ApiClient) -> ApiClient:
    """Stamp the client revoked with the database's clock at the moment of the update, which
    is after every token issued under the share lock of `get_for_token`."""
    client.revoked_at = func.clock_timestamp()
    await session.flush()
    await session.refresh(client)
    return client


async def failure_state(session: AsyncSession, client_id: str, address: str) -> LoginFailure | None:
    return await session.get(LoginFailure, (client_id, address), with_for_update=True)


async def record_failure(
    session: AsyncSession,
    client_id: str,
    address: str,
    *,
    now: datetime,
    window_start: datetime,
    limit: int,
    locked_until: datetime,
) -> LoginFailure:
    """Count one failure of the (client id, address) pair in the current window; lock the
    pair when the limit is reached."""
    values = insert(LoginFailure).values(
        client_id=client_id,
        source_address=address,
        failures=1,
        window_started_at=now,
        locked_until=None,
    )
    statement = values.on_conflict_do_update(
        index_elements=[LoginFailure.client_id, LoginFailure.source_address],
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
    # populate_existing: the row read by failure_state takes the counts the upsert returns.
    result = await session.scalars(statement, execution_options={"populate_existing": True})
    failure: LoginFailure = result.one()
    if failure.failures >= limit:
        failure.locked_until = locked_until
        await session.flush()
    return failure


async def purge_failures(session: AsyncSession, *, started_before: datetime) -> None:
    """Forget failures whose window (and any lockout it led to) ended: rows from addresses
    that never come back do not pile up."""
    # SKIP LOCKED: a row another failure is resetting is left to it (waiting could deadlock).
    expired = (
        select(LoginFailure.client_id, LoginFailure.source_address)
        .where(LoginFailure.window_started_at < started_before)
        .limit(100)
        .with_for_update(skip_locked=True)
    )
    pair = tuple_(LoginFailure.client_id, LoginFailure.source_address)
    await session.execute(delete(LoginFailure).where(pair.in_(expired)))


async def clear_failures(session: AsyncSession, client_id: str, address: str) -> None:
    await session.execute(
        delete(LoginFailure).where(
            LoginFailure.client_id == client_id, LoginFailure.source_address == address
        )
    )
