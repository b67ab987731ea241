"""Talking to the platform from outside: the `kvf` command line, each port, a token, and the
requests and refusals every end-to-end story shares."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx

from kvf.apps import APPS
from tests.processes import ROOT, KvfUp
from tests.support import expect


def kvf(run: KvfUp, *args: str) -> Any:
    """Run the `kvf` command line against the running platform, as its admin; its output
    (parsed when it is JSON)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("KVF_")}
    env.update(KVF_HOME=str(run.home), KVF_URL=run.gateway_url)
    result = subprocess.run(  # noqa: S603  # our own interpreter and module
        [sys.executable, "-m", "kvf", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    if result.stdout.strip().startswith(("{", "[")):
        return json.loads(result.stdout)
    return result.stdout


def service_urls(run: KvfUp) -> dict[str, str]:
    return {
        spec.name: f"http://127.0.0.1:{run.env[f'{spec.env_prefix}PORT']}"
        for spec in APPS
        if spec.name != "gateway"
    }


async def token(client: httpx.AsyncClient, credentials: dict[str, str]) -> str:
    response = await client.post(
        "/auth/v1/token", data={"grant_type": "client_credentials", **credentials}
    )
    assert response.status_code == 200, response.text
    access_token: str = response.json()["access_token"]
    return access_token


async def bearer(
    run: KvfUp, gateway: httpx.AsyncClient, role: str, *options: str
) -> dict[str, str]:
    """Headers for a new client of `role` made with `kvf clients create`, as a user makes one."""
    created = await asyncio.to_thread(
        kvf, run, "clients", "create", "--name", f"E2E {role}", "--role", role, *options
    )
    return {"Authorization": f"Bearer {await token(gateway, created)}"}


async def admin_bearer(run: KvfUp, gateway: httpx.AsyncClient) -> dict[str, str]:
    """Headers for the first admin client, whose credentials `kvf up` wrote."""
    stored = json.loads((run.home / "admin-credentials.json").read_text())
    return {"Authorization": f"Bearer {await token(gateway, stored)}"}


def keyed(headers: dict[str, str], key: str | None = None) -> dict[str, str]:
    """The headers with an `Idempotency-Key`: `key`, or a fresh one."""
    return {**headers, "Idempotency-Key": key or str(uuid.uuid4())}


async def create(
    gateway: httpx.AsyncClient, headers: dict[str, str], path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """POST `body` as JSON with a fresh `Idempotency-Key`; the body of its 201 answer."""
    return expect(await gateway.post(path, json=body, headers=keyed(headers)), 201)


def expect_problem(response: httpx.Response, status: int, problem: str = "") -> dict[str, Any]:
    """The problem+json body of a refusal that must have `status` and a `type` ending in
    `problem` (any type when it is empty)."""
    body = expect(response, status)
    assert response.headers["content-type"].startswith("application/problem+json"), body
    assert str(body.get("type", "")).endswith(problem), body
    return body
