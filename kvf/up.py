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
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from common.settings import asyncpg_url, get_platform_settings
from kvf.apps import APPS
from kvf.database import app_url, init_database, migrated_note
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


class Backoff:
    """How long an app that exited waits before it is started again.

    The delay doubles from `first` to `cap` and starts from `first` again once the app has
    stayed up `stable_after` seconds. An exit sooner than that counts as failing at start;
    `failing()` says once per such run when `failures` of them fell within `window` seconds.
    """

    def __init__(
        self,
        *,
        first: float = 0.5,
        cap: float = 10.0,
        stable_after: float = 30.0,
        failures: int = 5,
        window: float = 60.0,
    ) -> None:
        self.first, self.cap, self.stable_after = first, cap, stable_after
        self.failures, self.window = failures, window
        self._next = first
        self._quick_exits: deque[float] = deque()
        self._said = False

    def after_exit(self, *, uptime: float, now: float) -> float:
        """The delay before the next start of an app that ran `uptime` seconds until `now`."""
        if uptime >= self.stable_after:
            self._next, self._said = self.first, False
            self._quick_exits.clear()
        else:
            self._quick_exits.append(now)
        while self._quick_exits and self._quick_exits[0] < now - self.window:
            self._quick_exits.popleft()
        delay, self._next = self._next, min(self._next * 2, self.cap)
        return delay

    def failing(self) -> bool:
        """Whether the app has just reached `failures` quick exits within `window` (once)."""
        if self._said or len(self._quick_exits) < self.failures:
            return False
        self._said = True
        return True


@dataclass
class _App:
    """One supervised app: its current process and, while it is down, when it starts again."""

    backoff: Backoff
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float | None = None


def serve_command(name: str) -> list[str]:
    """The command that serves one app: our own interpreter, `kvf serve <name>`."""
    return [sys.executable, "-m", "kvf", "serve", name]


def private_logs(home: Path) -> Path:
    """`<home>/logs`, mode 0700, every file in it 0600 (also those an older `kvf up` left)."""
    logs = home / "logs"
    logs.mkdir(mode=0o700, parents=True, exist_ok=True)
    logs.chmod(0o700)
    for path in logs.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)
    return logs


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Supervisor:
    """Runs each app as its own process, starts again one that exits, and stops them all.

    Everything happens on the thread that calls `watch`, and `stopping` is checked right
    before each restart, so no app is started again once stopping has begun.
    """

    def __init__(
        self,
        home: Path,
        env: dict[str, str],
        names: Sequence[str],
        *,
        command: Callable[[str], list[str]] = serve_command,
        backoff: Callable[[], Backoff] = Backoff,
        say: Callable[[str], None] = _say,
        stopping: threading.Event | None = None,
    ) -> None:
        self.logs = private_logs(home)
        self.env = env
        self.command = command
        self.say = say
        self.apps = {name: _App(backoff()) for name in names}
        self.stopping = stopping if stopping is not None else threading.Event()

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def start(self, name: str) -> None:
        app = self.apps[name]
        fd = os.open(self.log_path(name), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "ab") as log:
            app.process = subprocess.Popen(  # noqa: S603  # our own interpreter
                self.command(name),
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
            )
        app.started_at, app.restart_at = time.monotonic(), None

    def start_all(self) -> None:
        for name in self.apps:
            self.start(name)

    def exited(self) -> dict[str, int]:
        """The apps whose process has exited, with its exit code (-N: killed by signal N)."""
        codes = {name: app.process.poll() for name, app in self.apps.items() if app.process}
        return {name: code for name, code in codes.items() if code is not None}

    def watch(self, poll: float = 0.2) -> None:
        """Until `stopping` is set: start again, after its backoff, each app that exits."""
        while not self.stopping.wait(poll):
            for name, app in self.apps.items():
                self._tend(name, app, time.monotonic())

    def _tend(self, name: str, app: _App, now: float) -> None:
        if app.restart_at is not None:
            if now >= app.restart_at and not self.stopping.is_set():
                self.start(name)
            return
        code = app.process.poll() if app.process is not None else None
        if code is None:
            return
        delay = app.backoff.after_exit(uptime=now - app.started_at, now=now)
        app.restart_at = now + delay
        self.say(f"{name} exited (code {code}); restarting in {delay:.1f} s")
        if app.backoff.failing():
            self.say(
                f"{name} keeps failing at start ({app.backoff.failures} times within "
                f"{app.backoff.window:g} s); see {self.log_path(name)}. "
                f"Still trying, every {app.backoff.cap:g} s at most."
            )

    def stop_all(self, timeout: float = 15.0) -> None:
        """Stop every app (SIGTERM, then SIGKILL after `timeout`); none is started again."""
        self.stopping.set()
        processes = [app.process for app in self.apps.values() if app.process is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for process in processes:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(url: str, supervisor: Supervisor, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    # One client for every poll: a new one loads the CA bundle each time (a third of a second
    # of CPU here), taken from the apps that are starting.
    with httpx.Client(base_url=url, timeout=2.0) as client:
        while time.monotonic() < deadline and not supervisor.stopping.is_set():
            if supervisor.exited():
                return False
            try:
                if client.get("/health/ready").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    return False


def _not_ready(supervisor: Supervisor) -> str:
    """Why the first start failed, and where to look."""
    exited = supervisor.exited()
    if not exited:
        return f"The platform did not become ready; see {supervisor.logs}."
    reasons = [f"{name} exited (code {code})" for name, code in exited.items()]
    where = ", ".join(str(supervisor.log_path(name)) for name in exited)
    return f"The platform did not become ready: {', '.join(reasons)}; see {where}."


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


def _start_embedded(embedded: EmbeddedPostgres, home: Path) -> tuple[str, dict[str, str]]:
    """Start the embedded PostgreSQL (seconds, mostly waiting for it) and meanwhile read every
    app's settings (seconds of imports); its owner URL and the app roles' passwords."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        starting = pool.submit(embedded.start)
        passwords = role_passwords(home)
        return starting.result(), passwords


def _bootstrap(home: Path, owner_url: str, prefix: str, gateway_password: str) -> str:
    """Signing keys and the first admin; returns a line for the user."""
    # Imported here: the services are already starting while this process loads the gateway's
    # client code (see `up`).
    from gateway.config import Settings as GatewaySettings
    from kvf.bootstrap import ensure_admin, ensure_signing_keys

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
            passwords = role_passwords(home)
        else:
            embedded = EmbeddedPostgres(home / "pgdata")
            print("Starting the embedded PostgreSQL ...", flush=True)
            owner_url, passwords = _start_embedded(embedded, home)
            database = f"embedded PostgreSQL in {home / 'pgdata'}"
        print("Migrating the database (where it is behind) ...", flush=True)
        migrated = asyncio.run(
            init_database(owner_url, prefix=platform.db_role_prefix, passwords=passwords)
        )
        print(migrated_note(migrated), flush=True)
        env = _child_env(home, owner_url, passwords)
        supervisor = Supervisor(home, env, [spec.name for spec in APPS], stopping=stop_signal)
        # The services import their code (seconds each) while this process makes sure of the
        # signing keys and the first admin. The gateway starts after: it signs with those keys,
        # and once it is ready, the admin's credentials are there.
        for spec in APPS[1:]:
            supervisor.start(spec.name)
        admin_note = _bootstrap(home, owner_url, platform.db_role_prefix, passwords["gateway"])
        supervisor.start(APPS[0].name)
        gateway = APPS[0].settings()
        gateway_url = f"http://{gateway.host}:{gateway.port}"
        if not _wait_ready(gateway_url, supervisor, timeout=60):
            if stop_signal.is_set():
                return 0
            print(_not_ready(supervisor), file=sys.stderr)
            return 1
        print(_banner(gateway_url, database, home), flush=True)
        print(admin_note, flush=True)
        supervisor.watch()
        return 0
    finally:
        print("Stopping ...", flush=True)
        if supervisor is not None:
            supervisor.stop_all()
        if embedded is not None:
            embedded.stop()
        print("Stopped.", flush=True)
