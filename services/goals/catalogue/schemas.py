"""Goals as the API shows them, and a county's request for its own goal."""

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from common.reference import CountyCode


class GoalKind(StrEnum):
    """`agreement` (A1–A3), `kvinnofrid` (K1–K5) or `county` (a county's own goal)."""

    agreement = "agreement"
    kvinnofrid = "kvinnofrid"
    county = "county"


COUNTY_GOAL_CODE = r"^[0-9]{2}-[A-Z0-9]{1,10}$"


class GoalRead(BaseModel):
    """A goal: a programme goal (A1–A3, K1–K5) or a county's own goal."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "K2",
                    "title": "Bättre systematisk uppföljning och analys",
                    "title_en": "Better systematic follow-up and analysis",
                    "kind": "kvinnofrid",
                    "county_code": None,
                }
            ]
        }
    )

    code: str = Field(description="A1–A3, K1–K5, or a county's code such as 12-E1.")
    title: str = Field(description="Swedish title / titel på svenska.")
    title_en: str | None = Field(description="English title.")
    kind: GoalKind = Field(
        description="`agreement` (A1–A3), `kvinnofrid` (K1–K5) or `county` (a county's own)."
    )
    county_code: str | None = Field(description="The owning county, for a county's own goal.")


class GoalCreate(BaseModel):
    """A county's own goal; the code is made (`12-E1`, `12-E2` ...) unless given."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "county_code": "12",
                    "title": "Fler kommuner med handlingsplan mot våld i nära relationer",
                    "title_en": "More municipalities with an action plan against domestic violence",
                }
            ]
        },
    )

    county_code: CountyCode = Field(description="The county that owns the goal.")
    title: str = Field(min_length=1, max_length=300, description="Swedish title.")
    title_en: str | None = Field(default=None, max_length=300, description="English title.")
    code: str | None = Field(
        default=None,
        pattern=COUNTY_GOAL_CODE,
        description="Optional code: the county code, a hyphen, and up to ten capitals or digits.",
    )
