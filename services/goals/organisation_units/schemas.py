"""Organisation units: Sverige, the counties and the municipalities, by SCB code."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Level(StrEnum):
    """Where a unit sits in the tree: Sverige, a county (län) or a municipality (kommun)."""

    country = "country"
    county = "county"
    municipality = "municipality"


class OrganisationUnitRead(BaseModel):
    """One organisation unit of the tree: country → county (län) → municipality (kommun)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "1280",
                    "name": "Malmö",
                    "english_name": None,
                    "level": "municipality",
                    "parent_code": "12",
                }
            ]
        }
    )

    code: str = Field(description="`SE`, a two-digit county code or a four-digit kommunkod.")
    name: str = Field(description="Official Swedish name.")
    english_name: str | None = Field(description="English name, where there is one.")
    level: Level
    parent_code: str | None = Field(description="The unit above; none for Sverige.")
