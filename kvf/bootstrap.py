"""First start: a signing keyring, and one admin client when the database has none."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.engine import URL

from common.auth import Role
from common.db import make_engine, make_sessionmaker
from gateway.clients import service
from gateway.clients.schemas import ClientCreate
from gateway.keys import ensure_keyring
from kvf.up_files import write_private


async def ensure_admin(gateway_url: URL, credentials_path: Path) -> str | None:
    """Create the first admin client if there is no admin; returns its id, or None."""
    engine = make_engine(gateway_url, application_name="kvf-bootstrap", pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            if await service.has_admin(session):
                return None
            client, secret = await service.create_client(
                session,
                data=ClientCreate(name="Administrator (kvf up)", role=Role.admin),
                created_by=None,
            )
            write_private(
                credentials_path,
                json.dumps({"client_id": client.client_id, "client_secret": secret}, indent=2),
            )
            await session.commit()
            return client.client_id
    finally:
        await engine.dispose()


def ensure_signing_keys(path: Path) -> bool:
    """A keyring with one Ed25519 key, unless there is one; True when one was made."""
    return ensure_keyring(path)
