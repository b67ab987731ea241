"""Comments as they are written and as the API shows them."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CommentCreate(BaseModel):
    """A comment on the report, or on the value of one of its plan's indicators."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {"text": "Hur räknades kommunerna?", "indicator_id": 7},
                {"text": "Berättelsen för K2 är tydlig, tack."},
            ]
        },
    )

    text: str = Field(min_length=1, max_length=4000, description="The comment.")
    indicator_id: int | None = Field(
        default=None,
        ge=1,
        le=2_147_483_647,
        description="The indicator whose value the comment is on; left out for the report.",
    )


class CommentRead(BaseModel):
    """A comment: who wrote it, when, and on what."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "report_id": 11,
                    "indicator_id": 7,
                    "text": "Hur räknades kommunerna?",
                    "author": "kvf_3f9a1c2b7d4e5f60",
                    "author_role": "admin",
                    "created_at": "2019-08-20T13:45:00Z",
                }
            ]
        },
    )

    id: int
    report_id: int
    indicator_id: int | None = Field(description="The indicator whose value it is on, if any.")
    text: str
    author: str = Field(description="The API client that wrote it.")
    author_role: str = Field(description="`admin` or `rss`.")
    created_at: datetime
