"""Request and response bodies of /auth/v1/clients and /auth/v1/token."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic.config import JsonDict

from common.auth import Role
from common.input import Integral
from common.openapi import required_when
from common.reference import CountyCode, OrganisationNumber

MAX_RATE_LIMIT = 100_000


class ClientCreate(BaseModel):
    """A new API client: an rss client has a county, an organiser an organisation number."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "RSS Västra Götaland", "role": "rss", "county_code": "14"}],
            "allOf": [
                required_when("role", ["rss"], "county_code"),
                required_when("role", ["organiser"], "organisation_number"),
            ],
        },
    )

    name: str = Field(min_length=1, max_length=200)
    role: Role
    county_code: CountyCode | None = None
    organisation_number: OrganisationNumber | None = None
    rate_limit_per_second: (
        Annotated[int, Strict(), Field(ge=1, le=MAX_RATE_LIMIT), Integral] | None
    ) = Field(
        default=None,
        description="Requests per second this client may make (its bucket holds as many "
        "seconds of them as the gateway's default does); unset: the gateway's default. "
        "Counts from the client's next token.",
    )

    @model_validator(mode="after")
    def _scope_fits_role(self) -> Self:
        if (self.role is Role.rss) != (self.county_code is not None):
            raise ValueError("county_code is required for role rss, and only for it")
        if (self.role is Role.organiser) != (self.organisation_number is not None):
            raise ValueError("organisation_number is required for role organiser, and only for it")
        return self


_CLIENT_EXAMPLE: JsonDict = {
    "client_id": "kvf_3f9a1c2b7d4e5f60",
    "name": "RSS Västra Götaland",
    "role": "rss",
    "county_code": "14",
    "organisation_number": None,
    "rate_limit_per_second": None,
    "created_at": "2019-02-06T09:00:00Z",
    "revoked_at": None,
}


class ClientRead(BaseModel):
    """An API client, never with its secret."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_CLIENT_EXAMPLE]}
    )

    client_id: str
    name: str
    role: Role
    county_code: str | None
    organisation_number: str | None
    rate_limit_per_second: int | None
    created_at: datetime
    revoked_at: datetime | None


class ClientCreated(ClientRead):
    """The new client with its secret, shown this once and never again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_CLIENT_EXAMPLE, "client_secret": "q8Zt0e3..."}]}
    )

    client_secret: str


class TokenResponse(BaseModel):
    """An access token (RFC 6749 §5.1)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJFZERTQSIs...",
                    "token_type": "Bearer",
                    "expires_in": 900,
                }
            ]
        }
    )

    access_token: str
    token_type: str = "Bearer"  # noqa: S105  # the OAuth2 token type, not a secret
    expires_in: int
