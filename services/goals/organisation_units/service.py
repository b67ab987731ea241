"""The organisation-unit tree, from the reference data in `common.reference` (no table)."""

from common.pagination import Page, PageParams
from common.problems import NotFound
from common.reference import COUNTIES, COUNTRY, MUNICIPALITIES
from services.goals.organisation_units.schemas import Level, OrganisationUnitRead

UNITS: tuple[OrganisationUnitRead, ...] = (
    OrganisationUnitRead(
        code=COUNTRY.code,
        name=COUNTRY.name,
        english_name=COUNTRY.english_name,
        level=Level.country,
        parent_code=None,
    ),
    *(
        OrganisationUnitRead(
            code=county.code,
            name=county.name,
            english_name=county.english_name,
            level=Level.county,
            parent_code=COUNTRY.code,
        )
        for county in COUNTIES.values()
    ),
    *(
        OrganisationUnitRead(
            code=municipality.code,
            name=municipality.name,
            english_name=None,
            level=Level.municipality,
            parent_code=municipality.county_code,
        )
        for municipality in MUNICIPALITIES.values()
    ),
)
_BY_CODE = {unit.code: unit for unit in UNITS}


def list_units(
    *, level: Level | None, parent_code: str | None, page: PageParams
) -> Page[OrganisationUnitRead]:
    """The units in tree order (country, counties, municipalities), by code within a level."""
    units = [
        unit
        for unit in UNITS
        if (level is None or unit.level == level)
        and (parent_code is None or unit.parent_code == parent_code)
    ]
    return Page.of(units[page.offset : page.offset + page.limit], len(units), page)


def get_unit(code: str) -> OrganisationUnitRead:
    """One unit by code."""
    unit = _BY_CODE.get(code.upper())
    if unit is None:
        raise NotFound(f"No organisation unit {code}.")
    return unit
