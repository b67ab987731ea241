"""Authentication that cannot be turned against its owner: failed logins counted per address,
revocation and dropped keys refused everywhere within seconds, X-Forwarded-For believed only
from trusted proxies."""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from common.auth import KeySet, Role, http_key_fetcher
from gateway.clients.models import ApiClient
from gateway.clients.service import issue_token
from gateway.keys import Keyring, SigningKey, rotate_keyring, write_keyring
from gateway.limits import TrustedProxies
from gateway.main import create_app as create_gateway
from tests.database import DatabaseRun
from tests.gateway.test_auth import _touch_later, create_client, get_token
from tests.processes import READY_WITHIN, ROOT
from tests.support import (
    SERVICE_FACTORIES,
    Schema,
    Tokens,
    expect,
    free_port,
    gateway_settings,
    refused,
    service_app,
    started,
)

SERVICES = sorted(SERVICE_FACTORIES)
WITHIN = 30.0  # generous: the bound is about 3 s, but the machine is shared and busy


def from_address(app: FastAPI, address: str) -> httpx.AsyncClient:
    """A client of an in-process app whose TCP peer address is `address`."""
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50123))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@asynccontextmanager
async def platform(
    test_run: DatabaseRun, database: str, keyring: Keyring | None = None, **overrides: Any
) -> AsyncIterator[tuple[FastAPI, dict[str, FastAPI]]]:
    """The gateway and the three services, each service verifying tokens against the
    gateway's own JWKS with the key set's default refresh, as `kvf up` runs them."""
    services = {name: service_app(test_run, database, name) for name in SERVICES}
    transports: dict[str, httpx.AsyncBaseTransport] = {
        name: httpx.ASGITransport(app=app) for name, app in services.items()
    }
    settings = gateway_settings(test_run, database, **overrides)
    gateway = create_gateway(settings, transports=transports, keyring=keyring)
    for app in services.values():
        app.state.keys = KeySet(
            http_key_fetcher("http://gateway/auth/v1/jwks", httpx.ASGITransport(app=gateway))
        )
    async with (
        started(gateway),
        started(services["funding"]),
        started(services["goals"]),
        started(services["mvp-evaluation"]),
    ):
        yield gateway, services


async def until_refused(
    client: httpx.AsyncClient, path: str, headers: dict[str, str]
) -> httpx.Response:
    """GET `path` until the answer is 401 or the deadline has passed; the last answer."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + WITHIN
    while True:
        response = await client.get(path, headers=headers)
        if response.status_code == 401 or loop.time() > give_up:
            return response
        await asyncio.sleep(0.25)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestFailedLoginsPerAddress:
    async def test_wrong_secrets_from_one_address_never_refuse_the_right_one_from_another(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        async with platform(test_run, database, login_max_failures=3) as (gateway, _):
            async with from_address(gateway, "10.0.0.1") as attacker:
                created = await create_client(attacker, tokens, name="SKR", role="admin")
                client_id, secret = created["client_id"], created["client_secret"]
                for _ in range(3):
                    refused(await get_token(attacker, client_id, "wrong"), 401, "invalid-client")

                locked = await get_token(attacker, client_id, secret)

                problem = refused(locked, 429, "too-many-requests")
                assert int(locked.headers["retry-after"]) > 0
                assert "access_token" not in problem
            async with from_address(gateway, "10.0.0.2") as owner:
                answer = await get_token(owner, client_id, secret)
                assert expect(answer, 200)["access_token"]
                rows = await Schema(test_run, database, "gateway").rows(
                    "SELECT source_address, failures, locked_until IS NOT NULL "
                    "FROM gateway.login_failure WHERE client_id = :id",
                    id=client_id,
                )
                assert rows == [("10.0.0.1", 3, True)]

    async def test_the_right_secret_clears_the_failures_of_its_own_address_only(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        async with (
            platform(test_run, database, login_max_failures=3) as (gateway, _),
            from_address(gateway, "10.0.0.1") as one,
            from_address(gateway, "10.0.0.2") as other,
        ):
            created = await create_client(one, tokens, name="Reader", role="reader")
            client_id, secret = created["client_id"], created["client_secret"]
            for client in (one, one, other, other):
                refused(await get_token(client, client_id, "wrong"), 401, "invalid-client")

            expect(await get_token(one, client_id, secret), 200)

            rows = await Schema(test_run, database, "gateway").rows(
                "SELECT source_address, failures FROM gateway.login_failure WHERE client_id = :id",
                id=client_id,
            )
            assert rows == [("10.0.0.2", 2)]
            # Two more from 10.0.0.1 would have locked it had the count not been cleared.
            for _ in range(2):
                refused(await get_token(one, client_id, "wrong"), 401, "invalid-client")
            expect(await get_token(one, client_id, secret), 200)


class TestRevocation:
    async def test_a_revoked_admins_token_is_refused_at_the_gateway_and_every_service(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        async with (
            platform(test_run, database) as (gateway, services),
            from_address(gateway, "10.0.0.1") as client,
        ):
            admin = await create_client(client, tokens, name="SKR", role="admin")
            reader = await create_client(client, tokens, name="Reader", role="reader")
            issued = await get_token(client, admin["client_id"], admin["client_secret"])
            token = bearer(expect(issued, 200)["access_token"])
            kept = await get_token(client, reader["client_id"], reader["client_secret"])
            other = bearer(expect(kept, 200)["access_token"])
            paths = [f"/{name}/v1/me" for name in SERVICES]
            for path in ["/auth/v1/clients", *paths]:
                expect(await client.get(path, headers=token), 200)
            for name, app in services.items():
                async with from_address(app, "127.0.0.1") as direct:
                    expect(await direct.get(f"/{name}/v1/me", headers=token), 200)

            revoked = await client.post(
                f"/auth/v1/clients/{admin['client_id']}/revoke", headers=tokens.admin
            )
            revoked_at = datetime.fromisoformat(expect(revoked, 200)["revoked_at"])

            for path in ["/auth/v1/clients", *paths]:
                answer = await until_refused(client, path, token)
                problem = refused(answer, 401, "invalid-token")
                assert "revoked" in problem["detail"], path
            for name, app in services.items():
                async with from_address(app, "127.0.0.1") as direct:
                    path = f"/{name}/v1/me"
                    answer = await until_refused(direct, path, token)
                    assert "revoked" in refused(answer, 401, "invalid-token")["detail"], name
                    expect(await direct.get(path, headers=other), 200)
            published = expect(await client.get("/auth/v1/jwks"), 200)["revoked_clients"]
            assert [
                (entry["client_id"], datetime.fromisoformat(entry["revoked_at"]))
                for entry in published
            ] == [(admin["client_id"], revoked_at)]
            refused(
                await get_token(client, admin["client_id"], admin["client_secret"]),
                401,
                "invalid-client",
            )


class TestDroppedKey:
    async def test_a_token_of_a_dropped_key_is_refused_directly_at_every_service(
        self, test_run: DatabaseRun, database: str, tmp_path: Path
    ) -> None:
        keyring_path = tmp_path / "signing-keys.json"
        write_keyring(keyring_path, [SigningKey.generate()])
        keyring = Keyring(path=keyring_path, reload_seconds=0)
        async with platform(
            test_run, database, keyring, signing_key=None, signing_keys_file=str(keyring_path)
        ) as (_, services):
            old = bearer(_reader_token(keyring))
            for name, app in services.items():
                async with from_address(app, "127.0.0.1") as direct:
                    expect(await direct.get(f"/{name}/v1/me", headers=old), 200)

            rotate_keyring(keyring_path)
            _touch_later(keyring_path)
            rotate_keyring(keyring_path)
            _touch_later(keyring_path)
            new = bearer(_reader_token(keyring))

            for name, app in services.items():
                async with from_address(app, "127.0.0.1") as direct:
                    path = f"/{name}/v1/me"
                    answer = await until_refused(direct, path, old)
                    assert "unknown key" in refused(answer, 401, "invalid-token")["detail"]
                    expect(await direct.get(path, headers=new), 200)


def _reader_token(keyring: Keyring) -> str:
    """A reader token signed with the keyring's current key."""
    client = ApiClient(client_id=f"kvf_test_{secrets.token_hex(4)}", role=Role.reader.value)
    return issue_token(client, keyring=keyring, ttl=timedelta(minutes=15))


def _scope(peer: str, *headers: tuple[bytes, bytes]) -> dict[str, Any]:
    return {"type": "http", "client": (peer, 50123), "headers": list(headers)}


class TestTrustedProxies:
    @pytest.mark.parametrize(
        ("peer", "headers", "client"),
        [
            ("198.51.100.7", [(b"x-forwarded-for", b"1.2.3.4")], "198.51.100.7"),
            ("198.51.100.7", [(b"x-real-ip", b"1.2.3.4")], "198.51.100.7"),
            ("10.0.0.5", [(b"x-forwarded-for", b"1.2.3.4")], "1.2.3.4"),
            ("10.0.0.5", [(b"x-forwarded-for", b"6.6.6.6, 1.2.3.4, 10.0.0.9")], "1.2.3.4"),
            (
                "10.0.0.5",
                [(b"x-forwarded-for", b"6.6.6.6"), (b"x-forwarded-for", b"1.2.3.4")],
                "1.2.3.4",
            ),
            ("10.0.0.5", [(b"x-forwarded-for", b"1.2.3.4:5678")], "1.2.3.4"),
            ("10.0.0.5", [(b"x-forwarded-for", b"[2001:db8::1]:80")], "2001:db8::1"),
            ("10.0.0.5", [(b"x-forwarded-for", b"10.0.0.8, 10.0.0.9")], "10.0.0.8"),
            ("10.0.0.5", [(b"x-real-ip", b"1.2.3.4")], "1.2.3.4"),
            ("10.0.0.5", [], "10.0.0.5"),
        ],
    )
    def test_forwarded_headers_count_only_from_a_trusted_peer(
        self, peer: str, headers: list[tuple[bytes, bytes]], client: str
    ) -> None:
        proxies = TrustedProxies(["10.0.0.0/24"])
        assert proxies.client_address(_scope(peer, *headers)) == client

    async def test_spoofed_forwarded_for_from_an_untrusted_peer_keeps_its_rate_limit(
        self, test_run: DatabaseRun, database: str
    ) -> None:
        async with platform(test_run, database, rate_limit_per_second=0.5, rate_limit_burst=3) as (
            gateway,
            _,
        ):
            async with from_address(gateway, "10.0.0.1") as spoofer:
                statuses = [
                    (await spoofer.get("/api-info", headers=_random_forwarded_for())).status_code
                    for _ in range(4)
                ]
                assert statuses == [200, 200, 200, 429]
                refused(await spoofer.get("/api-info"), 429, "too-many-requests")
            async with from_address(gateway, "10.0.0.2") as someone_else:
                expect(await someone_else.get("/api-info"), 200)

    async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
        self, test_run: DatabaseRun, database: str
    ) -> None:
        async with (
            platform(
                test_run,
                database,
                rate_limit_per_second=0.5,
                rate_limit_burst=3,
                trusted_proxies=["10.0.0.1"],
            ) as (gateway, _),
            from_address(gateway, "10.0.0.1") as proxy,
        ):
            for _ in range(6):
                expect(await proxy.get("/api-info", headers=_random_forwarded_for()), 200)
            one = {"X-Forwarded-For": "198.51.100.7"}
            statuses = [(await proxy.get("/api-info", headers=one)).status_code for _ in range(4)]
            assert statuses == [200, 200, 200, 429]

    async def test_failed_logins_count_for_the_forwarded_client_only_behind_a_trusted_proxy(
        self, test_run: DatabaseRun, database: str, tokens: Tokens
    ) -> None:
        async with (
            platform(test_run, database, login_max_failures=2, trusted_proxies=["10.0.0.1"]) as (
                gateway,
                _,
            ),
            from_address(gateway, "10.0.0.1") as proxy,
            from_address(gateway, "10.0.0.2") as direct,
        ):
            created = await create_client(proxy, tokens, name="Reader", role="reader")
            client_id, secret = created["client_id"], created["client_secret"]
            form = {"grant_type": "client_credentials", "client_id": client_id}
            attacker = {"X-Forwarded-For": "203.0.113.66"}
            for sender in (proxy, direct, proxy, direct):
                wrong = await sender.post(
                    "/auth/v1/token", data={**form, "client_secret": "x"}, headers=attacker
                )
                refused(wrong, 401, "invalid-client")
            # 10.0.0.2 is no proxy: its X-Forwarded-For is ignored and it locked itself.
            refused(await get_token(direct, client_id, secret), 429, "too-many-requests")
            owner = {"X-Forwarded-For": "198.51.100.7"}
            answer = await proxy.post(
                "/auth/v1/token", data={**form, "client_secret": secret}, headers=owner
            )
            expect(answer, 200)
            locked = await proxy.post(
                "/auth/v1/token", data={**form, "client_secret": secret}, headers=attacker
            )
            refused(locked, 429, "too-many-requests")


def _random_forwarded_for() -> dict[str, str]:
    """Two hops of made-up addresses, different each time."""
    hops = [f"203.0.{secrets.randbelow(256)}.{secrets.randbelow(256)}" for _ in range(2)]
    return {"X-Forwarded-For": ", ".join(hops)}


@asynccontextmanager
async def served_gateway(
    test_run: DatabaseRun, database: str, home: Path, **env: str
) -> AsyncIterator[str]:
    """`kvf serve gateway` in its own process, as `kvf up` starts it; its base URL."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    environment.update(
        KVF_HOME=str(home),
        KVF_DATABASE_URL=test_run.owner_url(database).render_as_string(hide_password=False),
        KVF_DB_ROLE_PREFIX=test_run.prefix,
        KVF_GATEWAY_DB_PASSWORD=test_run.passwords["gateway"],
        KVF_GATEWAY_PORT=str(port),
        KVF_GATEWAY_SIGNING_KEY=test_run.signing_key.pem(),
        KVF_GATEWAY_RATE_LIMIT_PER_SECOND="0.5",
        KVF_GATEWAY_RATE_LIMIT_BURST="3",
        **env,
    )
    process = _start_gateway(environment)
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_live(url, process)
        yield url
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _start_gateway(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # our own interpreter and module
        [sys.executable, "-m", "kvf", "serve", "gateway"],
        cwd=ROOT,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _wait_live(url: str, process: subprocess.Popen[bytes]) -> None:
    loop = asyncio.get_running_loop()
    give_up = loop.time() + READY_WITHIN
    async with httpx.AsyncClient(base_url=url, timeout=2.0) as client:
        while loop.time() < give_up:
            assert process.poll() is None, "kvf serve gateway exited"
            try:
                if (await client.get("/health/live")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.25)
    pytest.fail(f"kvf serve gateway was not live within {READY_WITHIN} s")


class TestServedGateway:
    async def test_uvicorn_believes_forwarded_for_only_from_a_trusted_proxy(
        self, test_run: DatabaseRun, database: str, tmp_path: Path
    ) -> None:
        """From 127.0.0.1, which uvicorn trusts unless told otherwise: random
        X-Forwarded-For values do not escape the per-address limit, until 127.0.0.1 is
        named a trusted proxy."""
        async with (
            served_gateway(test_run, database, tmp_path) as url,
            httpx.AsyncClient(base_url=url, timeout=10.0) as client,
        ):
            statuses = [
                (await client.get("/api-info", headers=_random_forwarded_for())).status_code
                for _ in range(8)
            ]
        assert 429 in statuses, statuses
        trusted = {"KVF_GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]'}
        async with (
            served_gateway(test_run, database, tmp_path, **trusted) as url,
            httpx.AsyncClient(base_url=url, timeout=10.0) as client,
        ):
            statuses = [
                (await client.get("/api-info", headers=_random_forwarded_for())).status_code
                for _ in range(8)
            ]
        assert statuses == [200] * 8
