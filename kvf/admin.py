"""`kvf clients ...` and `kvf keys rotate`."""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx

from gateway.config import Settings as GatewaySettings
from gateway.keys import rotate_keyring
from kvf.client import api


def _print(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


def _checked(response: httpx.Response) -> Any:
    if response.is_error:
        print(response.text, file=sys.stderr)
        raise SystemExit(1)
    return response.json()


def clients_create(
    *,
    name: str,
    role: str,
    county: str | None,
    organisation: str | None,
    rate_limit: int | None = None,
) -> int:
    body: dict[str, Any] = {"name": name, "role": role}
    if county:
        body["county_code"] = county
    if organisation:
        body["organisation_number"] = organisation
    if rate_limit is not None:
        body["rate_limit_per_second"] = rate_limit
    with api() as client:
        created = _checked(client.post("/auth/v1/clients", json=body))
    _print({"client_id": created["client_id"], "client_secret": created["client_secret"]})
    return 0


def clients_list() -> int:
    items: list[Any] = []
    with api() as client:
        while True:
            page = _checked(
                client.get("/auth/v1/clients", params={"limit": 100, "offset": len(items)})
            )
            items += page["items"]
            if len(items) >= page["total"] or not page["items"]:
                break
    _print(items)
    return 0


def clients_revoke(client_id: str) -> int:
    with api() as client:
        _print(_checked(client.post(f"/auth/v1/clients/{client_id}/revoke")))
    return 0


def keys_rotate() -> int:
    settings = GatewaySettings()
    path = settings.keyring_path()
    new = rotate_keyring(path)
    print(
        f"New signing key {new.kid} in {path}; the previous key still verifies tokens already "
        "issued. The gateway picks the new key up within a second."
    )
    return 0
