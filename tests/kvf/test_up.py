"""`kvf up` as a user runs it: a real process tree, ready on its ports, stopped by a signal."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil  # type: ignore[import-untyped]  # psutil ships no type information

from kvf.apps import APPS
from tests.database import DatabaseRun
from tests.processes import KvfUp, is_alive, kvf_up

__all__ = ["kvf_up"]  # the fixture, shared with the end-to-end tests


def _serving(children: list[psutil.Process]) -> set[str]:
    """The apps the processes serve (`python -m kvf serve <app>`)."""
    names = set()
    for child in children:
        command = child.cmdline()
        if command[-3:-1] == ["kvf", "serve"]:
            names.add(command[-1])
    return names


def _postmaster_pid(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().split()[0])


async def _assert_documents_every_service(run: KvfUp) -> None:
    async with httpx.AsyncClient(base_url=run.gateway_url, timeout=10.0) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for spec in APPS:
        assert any(path.startswith(f"/{spec.name}/v1/") for path in paths), spec.name
    assert "x-unavailable" not in response.json()["info"]


async def _token_status(run: KvfUp, credentials: str) -> int:
    import json

    secret = json.loads(credentials)
    async with httpx.AsyncClient(base_url=run.gateway_url, timeout=10.0) as client:
        response = await client.post(
            "/auth/v1/token", data={"grant_type": "client_credentials", **secret}
        )
    return response.status_code


class TestKvfUp:
    async def test_kvf_up_with_a_database_url_serves_every_app_and_stops_cleanly_on_sigterm(
        self, test_run: DatabaseRun, kvf_up: Callable[[dict[str, str]], KvfUp]
    ) -> None:
        database = await test_run.create_empty()
        try:
            owner = test_run.owner_url(database).set(drivername="postgresql")
            passwords = {
                f"{spec.env_prefix}DB_PASSWORD": test_run.passwords[spec.schema] for spec in APPS
            }
            run = kvf_up(
                {
                    "KVF_DATABASE_URL": owner.render_as_string(hide_password=False),
                    "KVF_DB_ROLE_PREFIX": test_run.prefix,
                    **passwords,
                }
            )

            await run.wait_ready()
            await _assert_documents_every_service(run)
            assert _serving(run.children) == {spec.name for spec in APPS}, run.output()

            code = await run.stop(signal.SIGTERM)
        finally:
            await test_run.drop(database)

        assert code == 0, run.output()
        _, alive = psutil.wait_procs(run.children, timeout=5)
        assert [p for p in alive if is_alive(p)] == []

    async def test_kvf_up_with_the_embedded_database_stops_on_sigint_and_reuses_its_data(
        self, kvf_up: Callable[[dict[str, str]], KvfUp]
    ) -> None:
        first = kvf_up({})
        await first.wait_ready()
        postmaster = psutil.Process(_postmaster_pid(first.home))
        credentials = (first.home / "admin-credentials.json").read_text()
        assert await _token_status(first, credentials) == 200

        assert await first.stop(signal.SIGINT) == 0, first.output()
        _, alive = psutil.wait_procs([*first.children, postmaster], timeout=10)
        assert [p for p in alive if is_alive(p)] == [], first.output()
        assert not (first.home / "pgdata" / "postmaster.pid").exists()

        second = kvf_up({})
        await second.wait_ready()
        # The admin made by the first start still signs in: the same data, not a new database.
        assert await _token_status(second, credentials) == 200
        assert (second.home / "admin-credentials.json").read_text() == credentials
        # The first start migrated every schema; the second found them at head and ran none.
        assert "Migrated gateway, funding, goals, mvp_evaluation to the head" in first.output()
        assert "none were run" in second.output(), second.output()

        assert await second.stop(signal.SIGINT) == 0, second.output()
        _, alive = psutil.wait_procs(second.children, timeout=10)
        assert [p for p in alive if is_alive(p)] == []
