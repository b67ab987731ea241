"""`kvf clients ...`, `kvf token` and `kvf keys rotate`."""

from __future__ import annotations

import sys
from typing import Any

import httpx

from kvf.client import api, fetch_token, save_client
from kvf.errors import checked
from kvf.output import print_json


def _json(response: httpx.Response) -> Any:
    return checked(response).json()


def clients_create(
    *,
    name: str,
    role: str,
    county: str | None,
    organisation: str | None,
    rate_limit: int | None = None,
    save: str | None = None,
    as_client: str | None = None,
) -> int:
    """Create a client; print its id and secret once, or with `save`, keep them under that
    name (mode 0600) and print the id and where they are, never the secret."""
    body: dict[str, Any] = {"name": name, "role": role}
    if county:
        body["county_code"] = county
    if organisation:
        body["organisation_number"] = organisation
    if rate_limit is not None:
        body["rate_limit_per_second"] = rate_limit
    with api(as_client) as client:
        created = _json(client.post("/auth/v1/clients", json=body))
    if save is None:
        print_json({"client_id": created["client_id"], "client_secret": created["client_secret"]})
        return 0
    path = save_client(save, created["client_id"], created["client_secret"])
    print_json({"client_id": created["client_id"], "saved_as": save, "path": str(path)})
    print(
        f"Saved as {save!r} in {path}: `kvf token {save}` prints its bearer header, "
        f"`kvf --as {save} ...` acts as it.",
        file=sys.stderr,
    )
    return 0


def clients_list(*, as_client: str | None = None) -> int:
    """Every client, a page of 100 at a time."""
    items: list[Any] = []
    with api(as_client) as client:
        while True:
            params = {"limit": 100, "offset": len(items)}
            page = _json(client.get("/auth/v1/clients", params=params))
            items += page["items"]
            if len(items) >= page["total"] or not page["items"]:
                break
    print_json(items)
    return 0


def clients_revoke(client_id: str, *, as_client: str | None = None) -> int:
    """Revoke one client: it gets no new token, and the ones it holds stop working."""
    with api(as_client) as client:
        print_json(_json(client.post(f"/auth/v1/clients/{client_id}/revoke")))
    return 0


def token(name: str | None, *, raw: bool) -> int:
    """Print a fresh bearer token of the client saved as `name` (the default client without
    one) as an `Authorization` header, or with `raw` the token alone."""
    access_token = fetch_token(name)
    print(access_token if raw else f"Authorization: Bearer {access_token}")
    return 0


def keys_rotate() -> int:
    """Make a new signing key and keep the previous one for tokens already issued."""
    from gateway.config import Settings as GatewaySettings
    from gateway.keys import rotate_keyring

    settings = GatewaySettings()
    path = settings.keyring_path()
    new = rotate_keyring(path)
    print(
        f"New signing key {new.kid} in {path}; the previous key still verifies tokens already "
        "issued. The gateway picks the new key up within a second."
    )
    return 0
