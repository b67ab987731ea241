"""Routes of the organisation units: /organisation-units."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from common.pagination import Page, PageDep
from common.problems import problem_responses
from services.goals.access import AnyRoleDep
from services.goals.organisation_units import service
from services.goals.organisation_units.schemas import Level, OrganisationUnitRead

router = APIRouter(tags=["organisation-units"])


@router.get(
    "/organisation-units",
    summary="List organisation units / Lista organisationsenheter",
    responses=problem_responses(401, 403, 422),
)
async def list_organisation_units(
    principal: AnyRoleDep,
    page: PageDep,
    level: Annotated[
        Level | None, Query(description="Only units of this level.", examples=["county"])
    ] = None,
    parent_code: Annotated[
        str | None,
        Query(max_length=2, description="Only the units directly under this one.", examples=["12"]),
    ] = None,
) -> Page[OrganisationUnitRead]:
    """Sverige (`SE`), the 21 counties and the 290 municipalities, with their SCB codes and
    names, as one tree: each unit names its parent."""
    return service.list_units(level=level, parent_code=parent_code, page=page)


@router.get(
    "/organisation-units/{code}",
    summary="Read an organisation unit / Läs en organisationsenhet",
    responses=problem_responses(401, 403, 404),
)
async def read_organisation_unit(
    principal: AnyRoleDep, code: Annotated[str, Path(max_length=4, examples=["1280"])]
) -> OrganisationUnitRead:
    """One unit by code: `SE`, a county code or a municipality code."""
    return service.get_unit(code)
