"""`kvf up`: the database (embedded unless one is given), migrations, and the four apps."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from common.settings import asyncpg_url, get_platform_settings
from gateway.config import Settings as GatewaySettings
from kvf.apps import APPS, AppSpec
from kvf.bootstrap import ensure_admin, ensure_signing_keys
from kvf.database import app_url, init_database
from kvf.embedded import EmbeddedPostgres
from kvf.up_files import write_private


def role_passwords(home: Path) -> dict[str, str]:
    """Each app role's password: from settings, else made once and kept in `<home>`."""
    path = home / "db-passwords.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    passwords = {}
    for spec in APPS:
        configured = spec.settings().db_password
        if configured is not None:
            passwords[spec.schema] = configured.get_secret_value()
        else:
            passwords[spec.schema] = stored.setdefault(spec.schema, secrets.token_urlsafe(32))
    write_private(path, json.dumps(stored, indent=2))
    return passwords


def _child_env(home: Path, owner_url: str, passwords: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env["KVF_DATABASE_URL"] = owner_url
    for spec in APPS:
        env.setdefault(f"{spec.env_prefix}DB_PASSWORD", passwords[spec.schema])
    services = {spec.name: spec.settings() for spec in APPS if spec.name != "gateway"}
    env.setdefault(
        "KVF_GATEWAY_UPSTREAMS",
        json.dumps({name: f"http://{s.host}:{s.port}" for name, s in services.items()}),
    )
    gateway = APPS[0].settings()
    env.setdefault("KVF_JWKS_URL", f"http://{gateway.host}:{gateway.port}/auth/v1/jwks")
    env["KVF_HOME"] = str(home)
    return env


class Supervisor:
    """Starts each app as its own process and stops them all, whatever ends the run."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stopping = threading.Event()

    def start(self, spec: AppSpec) -> None:
        log_path = self.home / "logs" / f"{spec.name}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            self.processes[spec.name] = subprocess.Popen(  # noqa: S603  # our own interpreter
                [sys.executable, "-m", "kvf", "serve", spec.name],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
            )

    def dead(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def stop_all(self, timeout: float = 15.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(url: str, supervisor: Supervisor, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not supervisor.stopping.is_set():
        if supervisor.dead():
            return False
        try:
            if httpx.get(f"{url}/health/ready", timeout=2.0).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    return False


def _banner(gateway_url: str, database: str, home: Path) -> str:
    lines = [
        "Kvinnofrid platform is up / plattformen är igång.",
        f"  API (gateway)   {gateway_url}",
        f"  docs            {gateway_url}/docs",
        f"  OpenAPI         {gateway_url}/openapi.json",
    ]
    for spec in APPS[1:]:
        settings = spec.settings()
        lines.append(f"  {spec.name:<15} http://{settings.host}:{settings.port}")
    lines += [f"  database        {database}", f"  logs            {home / 'logs'}"]
    lines.append("Press Ctrl-C to stop / tryck Ctrl-C för att stoppa.")
    return "\n".join(lines)


def _bootstrap(home: Path, owner_url: str, prefix: str, gateway_password: str) -> str:
    """Signing keys and the first admin; returns a line for the user."""
    gateway_settings = GatewaySettings()
    if gateway_settings.signing_key is None:
        ensure_signing_keys(gateway_settings.keyring_path())
    credentials = home / "admin-credentials.json"
    gateway_url = app_url(asyncpg_url(owner_url), prefix, "gateway", gateway_password)
    created = asyncio.run(ensure_admin(gateway_url, credentials))
    if created:
        return f"  admin client    {created}, credentials in {credentials} (mode 0600)"
    if credentials.exists():
        return f"  admin client    credentials in {credentials}"
    return "  admin client    the database already has one; its credentials are not here"


def up() -> int:
    """Run the whole platform in the foreground until Ctrl-C or SIGTERM."""
    platform = get_platform_settings()
    home = Path(platform.home).resolve()
    embedded: EmbeddedPostgres | None = None
    supervisor: Supervisor | None = None
    stop_signal = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop_signal.set())
    try:
        if platform.database_url:
            owner_url, database = platform.database_url, "KVF_DATABASE_URL"
        else:
            embedded = EmbeddedPostgres(home / "pgdata")
            print("Starting the embedded PostgreSQL ...", flush=True)
            owner_url, database = embedded.start(), f"embedded PostgreSQL in {home / 'pgdata'}"
        passwords = role_passwords(home)
        print("Migrating the database ...", flush=True)
        asyncio.run(init_database(owner_url, prefix=platform.db_role_prefix, passwords=passwords))
        admin_note = _bootstrap(home, owner_url, platform.db_role_prefix, passwords["gateway"])
        supervisor = Supervisor(home, _child_env(home, owner_url, passwords))
        supervisor.stopping = stop_signal
        for spec in APPS:
            supervisor.start(spec)
        gateway = APPS[0].settings()
        gateway_url = f"http://{gateway.host}:{gateway.port}"
        if not _wait_ready(gateway_url, supervisor, timeout=60):
            if stop_signal.is_set():
                return 0
            print(f"The platform did not become ready; see {home / 'logs'}.", file=sys.stderr)
            return 1
        print(_banner(gateway_url, database, home), flush=True)
        print(admin_note, flush=True)
        while not stop_signal.wait(0.5):
            if dead := supervisor.dead():
                print(f"Stopped unexpectedly: {', '.join(dead)}; see logs.", file=sys.stderr)
                return 1
        return 0
    finally:
        print("Stopping ...", flush=True)
        if supervisor is not None:
            supervisor.stop_all()
        if embedded is not None:
            embedded.stop()
        print("Stopped.", flush=True)
