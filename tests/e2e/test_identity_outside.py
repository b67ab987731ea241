"""Identity checked from outside, as a new user would: real processes, the `kvf` command line,
tokens over HTTP, and each service's own port."""

from __future__ import annotations

import asyncio
import re

import httpx
import jwt

from common.auth import Role
from gateway.keys import read_keyring
from tests.database import DatabaseRun
from tests.e2e.outside import kvf, service_urls, token
from tests.gateway.test_auth import forged_tokens, scope_of
from tests.processes import KvfUp

PUBLIC = {"/health/live", "/health/ready", "/metrics", "/auth/v1/token", "/auth/v1/jwks"}


def _options(role: Role) -> list[str]:
    scope = scope_of(role)
    if "county_code" in scope:
        return ["--county", scope["county_code"]]
    if "organisation_number" in scope:
        return ["--organisation", scope["organisation_number"]]
    return []


class TestIdentityFromOutside:
    async def test_tokens_for_each_role_work_through_the_gateway_and_at_each_service(
        self, platform: KvfUp
    ) -> None:
        async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as gateway:
            for role in Role:
                created = await asyncio.to_thread(
                    kvf,
                    platform,
                    "clients",
                    "create",
                    "--name",
                    f"Test {role.value}",
                    "--role",
                    role.value,
                    *_options(role),
                )
                assert set(created) == {"client_id", "client_secret"}
                bearer = {"Authorization": f"Bearer {await token(gateway, created)}"}
                for name, url in service_urls(platform).items():
                    through = await gateway.get(f"/{name}/v1/me", headers=bearer)
                    async with httpx.AsyncClient(base_url=url, timeout=10) as direct:
                        own_port = await direct.get(f"/{name}/v1/me", headers=bearer)
                    for response in (through, own_port):
                        assert response.status_code == 200, response.text
                        assert response.json()["role"] == role.value
                        assert response.json()["client_id"] == created["client_id"]

    async def test_a_client_made_with_its_own_rate_limit_is_held_to_it(
        self, platform: KvfUp
    ) -> None:
        created = await asyncio.to_thread(
            kvf, platform, "clients", "create", "--name", "Slow script", "--role", "reader",
            "--rate-limit", "1",
        )  # fmt: skip
        listed = await asyncio.to_thread(kvf, platform, "clients", "list")
        mine = next(item for item in listed if item["client_id"] == created["client_id"])
        assert mine["rate_limit_per_second"] == 1
        async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as gateway:
            bearer = {"Authorization": f"Bearer {await token(gateway, created)}"}
            answers = await asyncio.gather(
                *(gateway.get("/funding/v1/me", headers=bearer) for _ in range(8))
            )
        statuses = [answer.status_code for answer in answers]
        # One a second, and two seconds' worth at once (as the default's bucket holds): of
        # eight sent together, two pass, and a slow machine lets a few more refill.
        assert set(statuses) == {200, 429}, statuses
        assert 2 <= statuses.count(200) <= 5, statuses

    async def test_forged_expired_and_alg_none_tokens_are_refused_everywhere(
        self, platform: KvfUp, test_run: DatabaseRun
    ) -> None:
        forged = forged_tokens(read_keyring(platform.home / "signing-keys.json")[0])
        targets = {"gateway": platform.gateway_url, **service_urls(platform)}
        for name, url in targets.items():
            path = "/auth/v1/clients" if name == "gateway" else f"/{name}/v1/me"
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                for kind, bad in forged.items():
                    response = await http.get(path, headers={"Authorization": f"Bearer {bad}"})
                    assert response.status_code == 401, f"{name}: {kind}"
                    assert response.headers["www-authenticate"].lower().startswith("bearer")

    async def test_a_route_walk_without_a_token_finds_nothing_open_beyond_the_public_list(
        self, platform: KvfUp
    ) -> None:
        targets = {"gateway": platform.gateway_url, **service_urls(platform)}
        walked = 0
        for url in targets.values():
            async with httpx.AsyncClient(base_url=url, timeout=10) as http:
                document = (await http.get("/openapi.json")).json()
                for path, item in document["paths"].items():
                    if path in PUBLIC or path.endswith("/api-info"):
                        continue
                    for method in item:
                        response = await http.request(
                            method.upper(), re.sub(r"\{[^}]+\}", "1", path)
                        )
                        assert response.status_code == 401, f"{url} {method} {path}"
                        walked += 1
        assert walked >= 8

    async def test_revoke_and_rotate_through_the_command_line(self, platform: KvfUp) -> None:
        async with httpx.AsyncClient(base_url=platform.gateway_url, timeout=10) as gateway:
            created = await asyncio.to_thread(
                kvf, platform, "clients", "create", "--name", "Reader", "--role", "reader"
            )
            old = await token(gateway, created)

            await asyncio.to_thread(kvf, platform, "keys", "rotate")
            await asyncio.sleep(1.1)  # the gateway rereads its keyring at most once a second
            new = await token(gateway, created)
            assert jwt.get_unverified_header(new)["kid"] != jwt.get_unverified_header(old)["kid"]
            for bearer in (old, new):
                response = await gateway.get(
                    "/goals/v1/me", headers={"Authorization": f"Bearer {bearer}"}
                )
                assert response.status_code == 200

            listed = await asyncio.to_thread(kvf, platform, "clients", "list")
            assert created["client_id"] in {c["client_id"] for c in listed}
            await asyncio.to_thread(kvf, platform, "clients", "revoke", created["client_id"])
            refused = await gateway.post(
                "/auth/v1/token", data={"grant_type": "client_credentials", **created}
            )
            assert refused.status_code == 401
