"""POST /auth/v1/token (OAuth2 client credentials) and GET /auth/v1/jwks (alias jwks.json)."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import JSONResponse, Response

from common.auth import REVOKED_MEMBER
from common.db import SessionDep
from common.problems import PROBLEM_RESPONSES, problem_response
from gateway.clients import service
from gateway.clients.models import ApiClient
from gateway.clients.schemas import TokenResponse
from gateway.config import Settings, SettingsDep
from gateway.keys import Keyring
from gateway.limits import trusted_proxies
from gateway.tokens.revocations import revoked_clients
from gateway.tokens.schemas import KeySetRead

router = APIRouter(prefix="/auth/v1", tags=["auth"])


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    """Client credentials from HTTP Basic (RFC 6749 §2.3.1), if sent that way."""
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _oauth_problem(status: int, error: str, detail: str, **headers: str) -> JSONResponse:
    return problem_response(
        status,
        problem_type=error.replace("_", "-"),
        detail=detail,
        instance="/auth/v1/token",
        headers=headers or None,
        error=error,
    )


@router.post(
    "/token",
    summary="Get an access token / Hämta en åtkomsttoken",
    response_model=TokenResponse,
    responses={
        400: PROBLEM_RESPONSES[422] | {"description": "Unsupported grant or missing field."},
        401: PROBLEM_RESPONSES[401],
        429: {"description": "Too many failed logins for this client id from this address."},
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "example": {
                        "grant_type": "client_credentials",
                        "client_id": "kvf_3f9a1c2b7d4e5f60",
                        "client_secret": "q8Zt0e3...",
                    }
                }
            }
        }
    },
)
async def token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[
        str,
        Form(
            examples=["client_credentials"],
            json_schema_extra={"enum": ["client_credentials"]},
            description="Only `client_credentials`; anything else is 400 unsupported_grant_type.",
        ),
    ],
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=256)] = None,
) -> Response:
    """OAuth2 client-credentials grant (RFC 6749 §4.4): a signed JWT for 15 minutes.

    Credentials come in the form body or as HTTP Basic. Repeated failures for one client id
    from one address lock that address out for a while (429 with Retry-After); the right
    secret from another address still works.
    """
    if grant_type != "client_credentials":
        return _oauth_problem(
            400, "unsupported_grant_type", "Only client_credentials is supported."
        )
    client_id, client_secret = _basic_credentials(request) or (client_id, client_secret)
    if not client_id or not client_secret:
        # RFC 6749 §5.2: no client authentication included is `invalid_client`, 401.
        return _oauth_problem(
            401,
            "invalid_client",
            "Send client_id and client_secret, in the form or as HTTP Basic.",
            **{"WWW-Authenticate": 'Basic realm="kvinnofrid"'},
        )
    try:
        client = await service.authenticate_client(
            session,
            client_id=client_id,
            client_secret=client_secret,
            address=trusted_proxies(request.scope).client_address(request.scope),
            policy=_policy(settings),
        )
    except service.LoginLocked as locked:
        return problem_response(
            429,
            detail="Too many failed logins for this client from this address; try again later.",
            instance="/auth/v1/token",
            headers={"Retry-After": str(locked.retry_after)},
        )
    if client is None:
        # Returned, not raised: the failure count must be committed.
        return _oauth_problem(
            401,
            "invalid_client",
            "Unknown client, wrong secret or revoked client.",
            **{"WWW-Authenticate": 'Basic realm="kvinnofrid"'},
        )
    return _token_response(client, request.app.state.keyring, settings.token_ttl_seconds)


def _policy(settings: Settings) -> service.LoginPolicy:
    return service.LoginPolicy(
        max_failures=settings.login_max_failures,
        window=timedelta(seconds=settings.login_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


def _token_response(client: ApiClient, keyring: Keyring, ttl: int) -> JSONResponse:
    access_token = service.issue_token(client, keyring=keyring, ttl=timedelta(seconds=ttl))
    body = TokenResponse(access_token=access_token, expires_in=ttl)
    return JSONResponse(
        body.model_dump(), headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
    )


@router.get("/jwks", summary="Public signing keys / Publika signeringsnycklar")
@router.get("/jwks.json", include_in_schema=False)
async def jwks(request: Request) -> KeySetRead:
    """The gateway's public keys (JWKS): the current key and the previous one, and the
    clients revoked lately, whose tokens every service refuses (services refetch this every
    two seconds). Also at `/auth/v1/jwks.json`, the name OAuth clients and libraries often
    expect; the document lists only `/auth/v1/jwks` (DIGG's profile names resources without
    file endings)."""
    keyring: Keyring = request.app.state.keyring
    revoked = await revoked_clients(request.app)
    return KeySetRead.model_validate({**keyring.jwks(), REVOKED_MEMBER: revoked.document()})
