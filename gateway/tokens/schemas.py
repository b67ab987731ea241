"""The body of GET /auth/v1/jwks: the public keys, and the clients revoked lately."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RevokedClientRead(BaseModel):
    """A revoked client: its tokens issued up to `revoked_at` are refused everywhere."""

    client_id: str
    revoked_at: datetime


class KeySetRead(BaseModel):
    """The gateway's public keys (RFC 7517 JWK Set), with the clients revoked within the
    longest token lifetime, which every service refuses tokens of."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "keys": [
                        {
                            "kty": "OKP",
                            "crv": "Ed25519",
                            "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
                            "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                            "alg": "EdDSA",
                            "use": "sig",
                        }
                    ],
                    "revoked_clients": [
                        {"client_id": "kvf_3f9a1c2b7d4e5f60", "revoked_at": "2019-03-01T08:30:00Z"}
                    ],
                }
            ]
        }
    )

    keys: list[dict[str, Any]] = Field(description="The public keys (JWK), current first.")
    revoked_clients: list[RevokedClientRead] = Field(
        description="Clients revoked within the longest token lifetime; a service refuses "
        "a token whose `sub` is one of them, revoked at or after the token's `iat`."
    )
