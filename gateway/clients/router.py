"""/auth/v1/clients: API clients, for admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from common.auth import Allow, Principal, Role
from common.db import SessionDep
from common.pagination import Page, PageDep
from common.problems import problem_responses
from gateway.clients import service
from gateway.clients.schemas import ClientCreate, ClientCreated, ClientRead

router = APIRouter(prefix="/auth/v1/clients", tags=["clients"])
AdminDep = Annotated[Principal, Depends(Allow(Role.admin))]
ClientId = Annotated[
    str, Path(max_length=64, description="The client id.", examples=["kvf_3f9a1c2b7d4e5f60"])
]


@router.post(
    "",
    status_code=201,
    summary="Create an API client / Skapa en API-klient",
    responses=problem_responses(401, 403, 422),
)
async def create_client(body: ClientCreate, session: SessionDep, admin: AdminDep) -> ClientCreated:
    """A new client; its secret is in this response only, and stored as an argon2 hash."""
    client, secret = await service.create_client(session, data=body, created_by=admin.client_id)
    return ClientCreated.model_validate(
        {**ClientRead.model_validate(client).model_dump(), "client_secret": secret}
    )


@router.get(
    "", summary="List API clients / Lista API-klienter", responses=problem_responses(401, 403, 422)
)
async def list_clients(session: SessionDep, admin: AdminDep, page: PageDep) -> Page[ClientRead]:
    """Every client, oldest first, without secrets."""
    clients, total = await service.list_clients(session, page=page)
    return Page.of([ClientRead.model_validate(c) for c in clients], total, page)


@router.get(
    "/{id}",
    summary="Get an API client / Hämta en API-klient",
    responses=problem_responses(401, 403, 404),
)
async def get_client(id: ClientId, session: SessionDep, admin: AdminDep) -> ClientRead:
    """One client, without its secret."""
    return ClientRead.model_validate(await service.get_client(session, client_id=id))


@router.post(
    "/{id}/revoke",
    summary="Revoke an API client / Spärra en API-klient",
    responses=problem_responses(401, 403, 404),
)
async def revoke_client(id: ClientId, session: SessionDep, admin: AdminDep) -> ClientRead:
    """The client gets no new token, and the tokens it holds are refused within seconds
    everywhere."""
    return ClientRead.model_validate(await service.revoke_client(session, client_id=id))
