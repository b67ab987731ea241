"""How `kvf` commands reach the system: KVF_URL as the client in KVF_CLIENT_ID/SECRET,
by default the admin that `kvf up` wrote to <KVF_HOME>/admin-credentials.json."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from common.settings import get_platform_settings


class ClientSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KVF_", extra="ignore")

    url: str = Field(default="http://127.0.0.1:8000", description="The gateway kvf talks to.")
    client_id: str | None = None
    client_secret: SecretStr | None = None


def admin_credentials_path() -> Path:
    return Path(get_platform_settings().home) / "admin-credentials.json"


def saved_client_path(name: str) -> Path:
    """Where `kvf clients create --save NAME` keeps a client's credentials (mode 0600)."""
    return Path(get_platform_settings().home) / "clients" / f"{name}.json"


def save_client(name: str, client_id: str, client_secret: str) -> Path:
    """Keep a client's credentials under `name`, readable by this user only."""
    path = saved_client_path(name)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump({"client_id": client_id, "client_secret": client_secret}, file)
    return path


def _stored(path: Path) -> tuple[str, str]:
    """The client id and secret kept in `path`."""
    from kvf.errors import BadFile

    try:
        stored = json.loads(path.read_text())
        return str(stored["client_id"]), str(stored["client_secret"])
    except (ValueError, KeyError, TypeError) as error:
        raise BadFile(f"{path} holds no client id and secret: {type(error).__name__}.") from None


def _credentials(settings: ClientSettings, as_client: str | None = None) -> tuple[str, str]:
    from kvf.errors import Usage

    if as_client is not None:
        saved = saved_client_path(as_client)
        if not saved.exists():
            raise Usage(
                f"No saved client {as_client!r} (looked for {saved}): create one with "
                f"`kvf clients create --name ... --role ... --save {as_client}`."
            )
        return _stored(saved)
    if settings.client_id and settings.client_secret:
        return settings.client_id, settings.client_secret.get_secret_value()
    path = admin_credentials_path()
    if not path.exists():
        raise Usage(
            f"No credentials: set KVF_CLIENT_ID and KVF_CLIENT_SECRET, use --as NAME for a "
            f"client saved with `kvf clients create ... --save NAME`, or run `kvf up` once "
            f"(it writes {path})."
        )
    return _stored(path)


MAX_RATE_LIMIT_WAITS = 10
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_RETRY_AFTER_SECONDS = 30.0


def _retry_after(response: httpx.Response) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.1), MAX_RETRY_AFTER_SECONDS)


class TokenAuth(httpx.Auth):
    """Fetches a client-credentials token when needed and again when it is refused.

    A request the gateway's rate limit turned away (429) was never handled, so it is sent
    again after `Retry-After`, a few times, as long as its body can be sent again.
    """

    def __init__(self, base_url: str, client_id: str, client_secret: str) -> None:
        self.token_url = f"{base_url.rstrip('/')}/auth/v1/token"
        self.form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self.token: str | None = None

    def token_request(self) -> httpx.Request:
        """The client-credentials request for a new token."""
        return httpx.Request("POST", self.token_url, data=self.form)

    def accept(self, response: httpx.Response) -> str:
        """The token in a token response, or `Refused` saying which client was refused."""
        if response.status_code != 200:
            from kvf.errors import Refused

            doing = f"Could not get a token for client {self.form['client_id']}"
            raise Refused(response, doing=doing)
        token: str = response.json()["access_token"]
        return token

    def auth_flow(self, request: httpx.Request) -> Any:
        for attempt in range(2):
            if self.token is None or attempt:
                response = yield self.token_request()
                response.read()
                self.token = self.accept(response)
            request.headers["Authorization"] = f"Bearer {self.token}"
            response = yield request
            waits = 0
            while (
                response.status_code == 429
                and waits < MAX_RATE_LIMIT_WAITS
                and _resendable(request)
            ):
                waits += 1
                time.sleep(_retry_after(response))
                response = yield request
            # A streamed body is spent: its 401 stands rather than failing on a second send.
            if response.status_code != 401 or not _resendable(request):
                return


def _resendable(request: httpx.Request) -> bool:
    """Whether the body is in memory (a streamed upload cannot be sent twice)."""
    return isinstance(request.stream, httpx.ByteStream)


def api(as_client: str | None = None) -> httpx.Client:
    """An HTTP client for the platform's API, authenticated as the client saved under
    `as_client`, or else as KVF_CLIENT_ID/SECRET, or else as the admin `kvf up` wrote."""
    settings = ClientSettings()
    client_id, secret = _credentials(settings, as_client)
    return httpx.Client(
        base_url=settings.url,
        auth=TokenAuth(settings.url, client_id, secret),
        timeout=TIMEOUT,
    )


def fetch_token(as_client: str | None = None) -> str:
    """A fresh access token for the client `api(as_client)` would act as."""
    settings = ClientSettings()
    client_id, secret = _credentials(settings, as_client)
    auth = TokenAuth(settings.url, client_id, secret)
    with httpx.Client(timeout=TIMEOUT) as client:
        response = client.send(auth.token_request())
    return auth.accept(response)
