"""Lists: `?limit=` (default 20, at most 100) and `?offset=`; `{items, total, limit, offset}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
INT32_MAX = 2**31 - 1  # PostgreSQL's integer: every id, count and offset here fits in it


YearQuery = Annotated[
    int | None, Query(ge=2000, le=2100, description="Only this year.", examples=[2019])
]
"""A `?year=` filter: the years any table here holds."""


def id_query(description: str, example: int) -> Any:
    """The `Query(...)` of a numeric id filter: 1 to 2^31 − 1, as its column holds."""
    return Query(ge=1, le=INT32_MAX, description=description, examples=[example])


def id_path(description: str, example: int) -> Any:
    """The `Path(...)` of a numeric id: 1 to 2^31 − 1, as its column holds."""
    return Path(ge=1, le=INT32_MAX, description=description, examples=[example])


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def page_params(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1-100).", examples=[20])
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=INT32_MAX, description="Items to skip.", examples=[0])
    ] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total number of items."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: list[T], total: int, params: PageParams) -> Page[T]:
        return cls(items=items, total=total, limit=params.limit, offset=params.offset)
