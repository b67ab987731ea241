"""Identity and access: clients, tokens, bad tokens, roles, rotation, limits, the route walk."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from common.auth import AUDIENCE, ISSUER, KeySet, Role, http_key_fetcher
from gateway.keys import Keyring, SigningKey, rotate_keyring, write_keyring
from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.support import (
    SERVICE_FACTORIES,
    Tokens,
    asgi_client,
    expect,
    gateway_settings,
    make_token,
    refused,
    service_app,
    started,
)

PUBLIC = {
    ("GET", "/health/live"),
    ("GET", "/health/ready"),
    ("GET", "/metrics"),
    ("POST", "/auth/v1/token"),
    ("GET", "/auth/v1/jwks"),
    ("GET", "/auth/v1/jwks.json"),
}


async def create_client(client: httpx.AsyncClient, tokens: Tokens, **body: Any) -> dict[str, Any]:
    response = await client.post("/auth/v1/clients", json=body, headers=tokens.admin)
    return expect(response, 201)


async def get_token(client: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await client.post("/auth/v1/token", data=form)


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].lower().startswith("bearer")


class TestClientsAndTokens:
    async def test_client_credentials_give_a_signed_token_with_the_clients_scope(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await create_client(
            client, tokens, name="RSS Skåne", role="rss", county_code="12"
        )
        assert len(created["client_secret"]) >= 43  # 32 random bytes, base64url

        response = await get_token(client, created["client_id"], created["client_secret"])

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 900
        assert response.headers["cache-control"] == "no-store"
        header = jwt.get_unverified_header(body["access_token"])
        assert header["alg"] == "EdDSA"
        jwks = (await client.get("/auth/v1/jwks")).json()
        assert header["kid"] in {key["kid"] for key in jwks["keys"]}
        assert (await client.get("/auth/v1/jwks.json")).json() == jwks
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert claims["sub"] == created["client_id"]
        assert claims["role"] == "rss"
        assert claims["county_code"] == "12"
        assert claims["exp"] - claims["iat"] == 900
        assert claims["jti"]

    async def test_token_also_accepts_http_basic_client_authentication(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await create_client(client, tokens, name="Reader", role="reader")
        basic = base64.b64encode(f"{created['client_id']}:{created['client_secret']}".encode())
        response = await client.post(
            "/auth/v1/token",
            data={"grant_type": "client_credentials"},
            headers={"Authorization": f"Basic {basic.decode()}"},
        )
        assert response.status_code == 200, response.text

    async def test_secret_is_stored_as_an_argon2_hash(
        self, client: httpx.AsyncClient, tokens: Tokens, test_run: DatabaseRun, database: str
    ) -> None:
        created = await create_client(client, tokens, name="Evaluators", role="evaluator")
        engine = create_async_engine(test_run.role_url(database, "gateway"))
        async with engine.connect() as connection:
            stored = await connection.scalar(
                text("SELECT secret_hash FROM gateway.api_client WHERE client_id = :id"),
                {"id": created["client_id"]},
            )
        await engine.dispose()
        assert stored.startswith("$argon2id$")
        assert created["client_secret"] not in stored

    async def test_wrong_secret_and_unknown_client_are_401_invalid_client(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await create_client(client, tokens, name="Reader", role="reader")
        for client_id, secret in ((created["client_id"], "wrong"), ("kvf_nobody", "x")):
            response = await get_token(client, client_id, secret)
            assert refused(response, 401, "invalid-client")["error"] == "invalid_client"

    async def test_unsupported_grant_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/auth/v1/token", data={"grant_type": "password"})
        problem = refused(response, 400, "unsupported-grant-type")
        assert problem["error"] == "unsupported_grant_type"

    async def test_revoked_client_gets_no_new_token(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await create_client(client, tokens, name="Reader", role="reader")
        assert (await get_token(client, created["client_id"], created["client_secret"])).is_success

        revoked = await client.post(
            f"/auth/v1/clients/{created['client_id']}/revoke", headers=tokens.admin
        )

        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
        response = await get_token(client, created["client_id"], created["client_secret"])
        refused(response, 401, "invalid-client")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": "x", "role": "rss"}, "body"),
            ({"name": "x", "role": "rss", "county_code": "02"}, "body.county_code"),
            (
                {"name": "x", "role": "organiser", "organisation_number": "212000-0143"},
                "body.organisation_number",
            ),
            ({"name": "x", "role": "reader", "county_code": "12"}, "body"),
            ({"name": "x", "role": "superuser"}, "body.role"),
        ],
    )
    async def test_scope_must_fit_the_role_and_be_valid(
        self, client: httpx.AsyncClient, tokens: Tokens, body: dict[str, Any], field: str
    ) -> None:
        response = await client.post("/auth/v1/clients", json=body, headers=tokens.admin)
        refused(response, 422, "validation-error")
        assert field in {error["location"] for error in response.json()["errors"]}
        listed = await client.get("/auth/v1/clients", headers=tokens.admin)
        assert listed.json()["total"] == 0

    async def test_list_and_get_never_show_secrets(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        created = await create_client(
            client, tokens, name="Malmö stad", role="organiser", organisation_number="2120001124"
        )
        listed = await client.get("/auth/v1/clients", headers=tokens.admin)
        one = await client.get(f"/auth/v1/clients/{created['client_id']}", headers=tokens.admin)
        assert listed.json()["total"] == 1
        assert one.json()["organisation_number"] == "212000-1124"
        assert "client_secret" not in listed.text
        assert "secret_hash" not in listed.text
        assert "client_secret" not in one.text


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256(claims: dict[str, Any], secret: bytes, kid: str) -> str:
    """The key-confusion attack: HMAC over the token with the public key as the secret."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def forged_tokens(key: SigningKey) -> dict[str, str]:
    """Every kind of bad token a client might send, against a verifier that trusts `key`."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "kvf_x",
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "jti": "j",
    }
    other = Ed25519PrivateKey.generate()
    public_jwk = json.dumps(key.public_jwk()).encode()
    header_none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=")
    return {
        "malformed": "not-a-jwt",
        "expired": jwt.encode(
            {**claims, "iat": now - 1200, "exp": now - 60},
            key.private_key,
            algorithm="EdDSA",
            headers={"kid": key.kid},
        ),
        "wrongly signed": jwt.encode(claims, other, algorithm="EdDSA", headers={"kid": key.kid}),
        "alg none": f"{header_none.decode()}.{payload.decode()}.",
        "HS256 with the public key": _hs256(claims, public_jwk, key.kid),
        "unknown kid": jwt.encode(claims, other, algorithm="EdDSA", headers={"kid": "nope"}),
        "wrong audience": jwt.encode(
            {**claims, "aud": "other"},
            key.private_key,
            algorithm="EdDSA",
            headers={"kid": key.kid},
        ),
    }


class TestBadTokens:
    async def test_every_bad_token_is_401_at_the_gateway(
        self, client: httpx.AsyncClient, test_run: DatabaseRun
    ) -> None:
        assert_unauthorized(await client.get("/auth/v1/clients"))
        for name, token in forged_tokens(test_run.signing_key).items():
            response = await client.get(
                "/auth/v1/clients", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 401, name
            assert_unauthorized(response)

    @pytest.mark.parametrize("service", sorted(SERVICE_FACTORIES))
    async def test_every_bad_token_is_401_at_each_services_own_port(
        self, services: dict[str, FastAPI], test_run: DatabaseRun, service: str
    ) -> None:
        async with asgi_client(services[service]) as direct:
            path = f"/{service}/v1/me"
            assert_unauthorized(await direct.get(path))
            for name, token in forged_tokens(test_run.signing_key).items():
                response = await direct.get(path, headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 401, f"{service}: {name}"
            good = await direct.get(
                path, headers={"Authorization": f"Bearer {make_token(test_run, Role.reader)}"}
            )
            assert good.status_code == 200
            assert good.json()["role"] == "reader"

    async def test_a_token_accepted_before_is_refused_once_it_has_expired(
        self, client: httpx.AsyncClient, services: dict[str, FastAPI], test_run: DatabaseRun
    ) -> None:
        """A verified token is remembered (its signature is not checked twice), never past
        its `exp`: at the gateway and at the service alike."""
        expires = int(time.time()) + 2
        token = make_token(test_run, Role.reader, extra_claims={"exp": expires})
        bearer = {"Authorization": f"Bearer {token}"}
        async with asgi_client(services["funding"]) as direct:
            assert (await client.get("/funding/v1/me", headers=bearer)).status_code == 200
            assert (await direct.get("/funding/v1/me", headers=bearer)).status_code == 200
            # Past its exp (at most two and a half seconds from now).
            await asyncio.sleep(max(0.0, expires + 0.5 - time.time()))
            for response in (
                await client.get("/funding/v1/me", headers=bearer),
                await direct.get("/funding/v1/me", headers=bearer),
            ):
                assert_unauthorized(response)
                assert "expired" in response.json()["detail"]


def scope_of(role: Role, county_code: str = "12") -> dict[str, str]:
    """The scope a client of this role carries."""
    if role is Role.rss:
        return {"county_code": county_code}
    if role is Role.organiser:
        return {"organisation_number": "212000-0142"}
    return {}


class TestRoles:
    @pytest.mark.parametrize("role", list(Role))
    async def test_only_admins_manage_clients(
        self, client: httpx.AsyncClient, tokens: Tokens, role: Role
    ) -> None:
        scope = scope_of(role)
        response = await client.get("/auth/v1/clients", headers=tokens.header(role, **scope))
        assert response.status_code == (200 if role is Role.admin else 403)

    @pytest.mark.parametrize("role", list(Role))
    async def test_every_role_reaches_each_service_through_the_gateway(
        self, client: httpx.AsyncClient, tokens: Tokens, role: Role
    ) -> None:
        scope = scope_of(role, county_code="01")
        for service in SERVICE_FACTORIES:
            response = await client.get(f"/{service}/v1/me", headers=tokens.header(role, **scope))
            assert response.status_code == 200
            assert response.json()["role"] == role.value
            assert response.json()["county_code"] == scope.get("county_code")


class TestKeyRotation:
    async def test_old_tokens_stay_valid_after_a_rotation_until_the_key_is_dropped(
        self, test_run: DatabaseRun, database: str, tmp_path: Path
    ) -> None:
        keyring_path = tmp_path / "signing-keys.json"
        write_keyring(keyring_path, [SigningKey.generate()])
        settings = gateway_settings(
            test_run, database, signing_key=None, signing_keys_file=str(keyring_path)
        )
        gateway = create_gateway(settings, keyring=Keyring(path=keyring_path, reload_seconds=0))
        async with started(gateway), asgi_client(gateway) as client:
            keys = KeySet(
                http_key_fetcher("http://gw/auth/v1/jwks.json", httpx.ASGITransport(gateway)),
                ttl_seconds=0,
                min_refresh=0,
            )
            funding = service_app(test_run, database, "funding")
            funding.state.keys = keys
            async with started(funding), asgi_client(funding) as direct:
                old = Keyring(path=keyring_path).current
                created = await _admin_client(client, old)
                first = await get_token(client, created["client_id"], created["client_secret"])
                old_token = {"Authorization": f"Bearer {first.json()['access_token']}"}

                rotate_keyring(keyring_path)
                _touch_later(keyring_path)

                jwks = (await client.get("/auth/v1/jwks.json")).json()["keys"]
                assert len(jwks) == 2
                assert (await client.get("/auth/v1/clients", headers=old_token)).status_code == 200
                assert (await direct.get("/funding/v1/me", headers=old_token)).status_code == 200
                second = await get_token(client, created["client_id"], created["client_secret"])
                new_token = {"Authorization": f"Bearer {second.json()['access_token']}"}
                assert jwt.get_unverified_header(second.json()["access_token"])["kid"] != old.kid
                assert (await direct.get("/funding/v1/me", headers=new_token)).status_code == 200

                rotate_keyring(keyring_path)
                _touch_later(keyring_path)
                assert (await client.get("/auth/v1/clients", headers=old_token)).status_code == 401
                assert (await direct.get("/funding/v1/me", headers=old_token)).status_code == 401
                assert (await direct.get("/funding/v1/me", headers=new_token)).status_code == 200


def _touch_later(path: Path) -> None:
    """Move the file's mtime on, so that a rewrite within one clock tick is still seen."""
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 1))


async def _admin_client(client: httpx.AsyncClient, key: SigningKey) -> dict[str, Any]:
    """An admin client made with a token signed by `key` (the keyring's current key)."""
    from gateway.clients.models import ApiClient
    from gateway.clients.service import issue_token

    token = issue_token(
        ApiClient(client_id="kvf_bootstrap", role="admin"),
        keyring=Keyring(keys=[key]),
        ttl=timedelta(minutes=5),
    )
    response = await client.post(
        "/auth/v1/clients",
        json={"name": "Admin", "role": "admin"},
        headers={"Authorization": f"Bearer {token}"},
    )
    return expect(response, 201)


@pytest.fixture
async def limited_gateway(
    test_run: DatabaseRun, database: str, services: dict[str, FastAPI]
) -> AsyncIterator[httpx.AsyncClient]:
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=app) for name, app in services.items()
    }
    settings = gateway_settings(
        test_run,
        database,
        rate_limit_per_second=0.5,
        rate_limit_burst=3,
        login_max_failures=3,
        max_json_bytes=2048,
        max_upload_bytes=8192,
        upload_paths=[r"^/mvp-evaluation/v1/waves/[^/]+/responses$"],
    )
    app = create_gateway(settings, transports=transports)
    async with started(app), asgi_client(app) as client:
        yield client


class TestAbuseLimits:
    async def test_rate_limit_per_client_is_429_with_retry_after(
        self, limited_gateway: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        reader = tokens.reader
        statuses = [
            (await limited_gateway.get("/funding/v1/me", headers=reader)).status_code
            for _ in range(4)
        ]
        assert statuses == [200, 200, 200, 429]
        refused = await limited_gateway.get("/funding/v1/me", headers=reader)
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["content-type"].startswith("application/problem+json")
        other = await limited_gateway.get("/funding/v1/me", headers=tokens.evaluator)
        assert other.status_code == 200

    async def test_failed_logins_lock_the_client_id_even_for_the_right_secret(
        self, limited_gateway: httpx.AsyncClient, test_run: DatabaseRun, tokens: Tokens
    ) -> None:
        created = await create_client(limited_gateway, tokens, name="R", role="reader")
        form = {"grant_type": "client_credentials", "client_id": created["client_id"]}
        refusals = []
        for _ in range(3):
            response = await limited_gateway.post(
                "/auth/v1/token",
                data={**form, "client_secret": "wrong"},
                headers={"X-Forwarded-For": "203.0.113.9"},
            )
            refusals.append((response.status_code, response.json()["type"]))
        assert refusals == [(401, "invalid-client")] * 3
        locked = await limited_gateway.post(
            "/auth/v1/token", data={**form, "client_secret": created["client_secret"]}
        )
        assert locked.status_code == 429
        assert locked.json()["type"] == "too-many-requests"
        assert int(locked.headers["retry-after"]) > 0
        assert "access_token" not in locked.json()

    async def test_json_body_over_the_limit_is_413_and_uploads_have_their_own(
        self, limited_gateway: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        big = {"name": "x" * 4000, "role": "reader"}
        response = await limited_gateway.post("/auth/v1/clients", json=big, headers=tokens.admin)
        refused(response, 413, "payload-too-large")
        listed = await limited_gateway.get("/auth/v1/clients", headers=tokens.admin)
        assert listed.json()["total"] == 0
        upload = await limited_gateway.post(
            "/mvp-evaluation/v1/waves/1/responses",
            content=b"x" * 4000,
            headers={**tokens.evaluator, "Content-Type": "text/csv"},
        )
        assert upload.status_code != 413
        too_big = await limited_gateway.post(
            "/mvp-evaluation/v1/waves/1/responses",
            content=b"x" * 9000,
            headers={**tokens.evaluator, "Content-Type": "text/csv"},
        )
        refused(too_big, 413, "payload-too-large")


class TestHeaders:
    async def test_no_cors_unless_configured_and_security_headers_everywhere(
        self, client: httpx.AsyncClient
    ) -> None:
        for path in ("/funding/v1/api-info", "/auth/v1/jwks.json", "/nowhere", "/health/live"):
            response = await client.get(path, headers={"Origin": "https://evil.example"})
            assert "access-control-allow-origin" not in response.headers
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert "content-security-policy" in response.headers

    async def test_cors_when_configured(self, test_run: DatabaseRun, database: str) -> None:
        app = create_gateway(
            gateway_settings(test_run, database, cors_origins=["https://kommun.example"])
        )
        async with started(app), asgi_client(app) as client:
            response = await client.get(
                "/auth/v1/jwks.json", headers={"Origin": "https://kommun.example"}
            )
        assert response.headers["access-control-allow-origin"] == "https://kommun.example"


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


class TestRouteWalk:
    async def test_every_route_outside_the_public_list_is_401_without_a_token(
        self, client: httpx.AsyncClient
    ) -> None:
        document = (await client.get("/openapi.json")).json()
        protected = []
        for path, item in document["paths"].items():
            for method in item:
                if method.upper() not in {"GET", "POST", "PUT", "PATCH", "DELETE"}:
                    continue
                if (method.upper(), path) in PUBLIC or path.endswith("/api-info"):
                    continue
                protected.append((method.upper(), path))
                response = await client.request(method.upper(), _concrete(path))
                assert response.status_code == 401, f"{method.upper()} {path}"
        assert len(protected) >= 7

    async def test_openapi_declares_bearer_and_roles_on_every_protected_operation(
        self, client: httpx.AsyncClient
    ) -> None:
        document = (await client.get("/openapi.json")).json()
        schemes = document["components"]["securitySchemes"]
        assert any(s["type"] == "http" and s["scheme"] == "bearer" for s in schemes.values())
        for path, item in document["paths"].items():
            for method, operation in item.items():
                if (method.upper(), path) in PUBLIC or path.endswith("/api-info"):
                    continue
                assert operation.get("security"), f"{method} {path}"
                assert operation.get("x-roles"), f"{method} {path}"
                assert "Roles" in operation["description"]
