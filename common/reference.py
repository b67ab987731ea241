"""Swedish reference data and validators: the country, counties, municipalities, and codes.

Counties (län) and municipalities (kommuner) carry SCB's codes, as in force since 2007 (21
counties, 290 municipalities). The municipalities live in ``common/data/municipalities.csv``
(``code;name``, UTF-8); a municipality's county is given by the first two digits of its code.

The validators are pure functions. The ``Annotated`` aliases at the end let pydantic models use
them: a failed check becomes a validation error with the function's message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

__all__ = [
    "COUNTIES",
    "COUNTRY",
    "MUNICIPALITIES",
    "Country",
    "County",
    "CountyCode",
    "Municipality",
    "MunicipalityCode",
    "OrganisationNumber",
    "SchoolUnitCode",
    "is_county_code",
    "is_municipality_code",
    "is_school_unit_code",
    "is_valid_organisation_number",
    "looks_like_personnummer",
    "luhn_check_digit",
    "municipalities_in",
    "normalise_organisation_number",
]


@dataclass(frozen=True, slots=True)
class Country:
    """The national level: code ``SE``, Swedish and English name."""

    code: str
    name: str
    english_name: str


@dataclass(frozen=True, slots=True)
class County:
    """A county (län): two-digit SCB code, official Swedish name and English name."""

    code: str
    name: str
    english_name: str


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality (kommun): four-digit SCB code, name, and the code of its county."""

    code: str
    name: str
    county_code: str

    @property
    def county(self) -> County:
        """The county the municipality belongs to."""
        return COUNTIES[self.county_code]


COUNTRY = Country(code="SE", name="Sverige", english_name="Sweden")

_COUNTY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("01", "Stockholms län", "Stockholm County"),
    ("03", "Uppsala län", "Uppsala County"),
    ("04", "Södermanlands län", "Södermanland County"),
    ("05", "Östergötlands län", "Östergötland County"),
    ("06", "Jönköpings län", "Jönköping County"),
    ("07", "Kronobergs län", "Kronoberg County"),
    ("08", "Kalmar län", "Kalmar County"),
    ("09", "Gotlands län", "Gotland County"),
    ("10", "Blekinge län", "Blekinge County"),
    ("12", "Skåne län", "Skåne County"),
    ("13", "Hallands län", "Halland County"),
    ("14", "Västra Götalands län", "Västra Götaland County"),
    ("17", "Värmlands län", "Värmland County"),
    ("18", "Örebro län", "Örebro County"),
    ("19", "Västmanlands län", "Västmanland County"),
    ("20", "Dalarnas län", "Dalarna County"),
    ("21", "Gävleborgs län", "Gävleborg County"),
    ("22", "Västernorrlands län", "Västernorrland County"),
    ("23", "Jämtlands län", "Jämtland County"),
    ("24", "Västerbottens län", "Västerbotten County"),
    ("25", "Norrbottens län", "Norrbotten County"),
)

COUNTIES: Mapping[str, County] = MappingProxyType(
    {code: County(code, name, english) for code, name, english in _COUNTY_ROWS}
)
"""The 21 counties by two-digit SCB code, in code order."""

_MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")


def _load_municipalities() -> Mapping[str, Municipality]:
    text = resources.files("common").joinpath("data/municipalities.csv").read_text("utf-8")
    municipalities: dict[str, Municipality] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter=";"):
        code, name = row["code"], row["name"]
        # A broken data file must stop the import, not yield a half-valid register.
        if not _MUNICIPALITY_CODE.fullmatch(code) or code[:2] not in COUNTIES:
            raise RuntimeError(f"municipalities.csv: bad municipality code {code!r}")
        if code in municipalities:
            raise RuntimeError(f"municipalities.csv: duplicate municipality code {code!r}")
        municipalities[code] = Municipality(code=code, name=name, county_code=code[:2])
    return MappingProxyType(dict(sorted(municipalities.items())))


MUNICIPALITIES: Mapping[str, Municipality] = _load_municipalities()
"""The 290 municipalities by four-digit SCB code (kommunkod), in code order."""


def is_county_code(code: str) -> bool:
    """Whether ``code`` is one of the 21 two-digit SCB county codes (``"01"``–``"25"``)."""
    return code in COUNTIES


def is_municipality_code(code: str) -> bool:
    """Whether ``code`` is one of the 290 four-digit SCB municipality codes."""
    return code in MUNICIPALITIES


def municipalities_in(county_code: str) -> tuple[Municipality, ...]:
    """The municipalities of one county, in code order; ``ValueError`` for an unknown county."""
    if not is_county_code(county_code):
        raise ValueError(f"{county_code!r} is not a Swedish county code")
    return tuple(m for m in MUNICIPALITIES.values() if m.county_code == county_code)


def luhn_check_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit for ``digits``, as used for Swedish identity numbers.

    Weights 2, 1, 2, 1, ... from the left for the nine digits of an organisationsnummer or
    personnummer (equivalently from the right for any odd-length payload).
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


_ORGANISATION_NUMBER = re.compile(r"([0-9]{6})-?([0-9]{4})")


def normalise_organisation_number(value: str) -> str:
    """An organisationsnummer in canonical ``NNNNNN-NNNN`` form.

    Accepts ``NNNNNN-NNNN`` or ten digits, with surrounding whitespace ignored. Raises
    ``ValueError`` when the value is not ten digits in one of those forms, or when the last digit
    is not the Luhn check digit of the first nine.
    """
    match = _ORGANISATION_NUMBER.fullmatch(value.strip())
    if match is None:
        raise ValueError(
            "an organisation number must be ten digits, written NNNNNN-NNNN or NNNNNNNNNN"
        )
    digits = match[1] + match[2]
    if luhn_check_digit(digits[:9]) != int(digits[9]):
        raise ValueError(
            f"{match[1]}-{match[2]} is not a valid organisation number: wrong check digit"
        )
    return f"{match[1]}-{match[2]}"


def is_valid_organisation_number(value: str) -> bool:
    """Whether ``value`` is an organisationsnummer that :func:`normalise_organisation_number`
    accepts."""
    try:
        normalise_organisation_number(value)
    except ValueError:
        return False
    return True


def is_school_unit_code(value: str) -> bool:
    """Whether ``value`` has the form of a skolenhetskod: exactly eight ASCII digits."""
    return re.fullmatch(r"[0-9]{8}", value) is not None


# A run of 6 or 8 digits (the date), an optional separator, and 4 digits (the serial), neither
# run touching another digit. Each start position allows one reading only, so no ambiguity.
_PERSONNUMMER = re.compile(
    r"(?<![0-9])([0-9]{8}|[0-9]{6})[-+ \u2010\u2013\u2212]?([0-9]{4})(?![0-9])"
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_SAMORDNING_OFFSET = 60


def _is_plausible_birth_date(date: str) -> bool:
    if len(date) == 8:
        if date[:2] not in {"18", "19", "20"}:
            return False
        date = date[2:]
    month, day = int(date[2:4]), int(date[4:6])
    if not 1 <= month <= 12:
        return False
    if day >= _SAMORDNING_OFFSET:
        day -= _SAMORDNING_OFFSET
        # A samordningsnummer for someone whose day of birth is unknown has day 60.
        if day == 0:
            return True
    return 1 <= day <= _DAYS_IN_MONTH[month - 1]


def looks_like_personnummer(value: str) -> bool:
    """Whether ``value`` contains something that could be a personnummer or samordningsnummer.

    Meant to refuse identifying data in any column of an upload, so it errs on the side of
    saying yes. The rule: somewhere in ``value`` there is

    - a date part of six digits ``YYMMDD`` or eight digits ``CCYYMMDD`` with ``CC`` 18, 19
      or 20,
    - then optionally one separator: a hyphen or dash (``-``, U+2010, en dash U+2013, minus
      U+2212), ``+``, or a space,
    - then a four-digit serial part,

    where neither digit run adjoins another digit, ``MM`` is 01–12, and ``DD`` is a day that
    month can have (01–31, February up to 29 whatever the year) or that day plus 60
    (samordningsnummer; 60 alone stands for an unknown day). The Luhn check digit is NOT
    checked: a mistyped number is still a person's number. So ``800101-1234``,
    ``8001011234``, ``19800101-1234``, ``198001011234``, ``800161+1234`` and
    ``id 800101-1234`` match; ``A017``, ``elev-0042``, ``S12-0003``, ``3`` and an
    eight-digit school unit code do not.

    The value is NFKC-normalised first, so full-width digits, a no-break space and a
    non-breaking hyphen count as their plain forms.
    """
    text = unicodedata.normalize("NFKC", value)
    return any(_is_plausible_birth_date(match[1]) for match in _PERSONNUMMER.finditer(text))


def _county_code(value: str) -> str:
    if not is_county_code(value):
        raise ValueError(f"{value!r} is not a Swedish county code (two-digit SCB länskod)")
    return value


def _municipality_code(value: str) -> str:
    if not is_municipality_code(value):
        raise ValueError(f"{value!r} is not a Swedish municipality code (four-digit SCB kommunkod)")
    return value


def _school_unit_code(value: str) -> str:
    if not is_school_unit_code(value):
        raise ValueError(f"{value!r} is not a school unit code (skolenhetskod): eight digits")
    return value


# What the document says of each code: all a JSON Schema can state of it. The Luhn check
# digit of an organisation number is the one rule it cannot; the description names it.
OrganisationNumber = Annotated[
    str,
    AfterValidator(normalise_organisation_number),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{6}-?[0-9]{4}$",
            "description": "An organisationsnummer, NNNNNN-NNNN or ten digits; the last digit "
            "is the Luhn check digit of the first nine. Answered as NNNNNN-NNNN.",
            "examples": ["212000-1355"],
        }
    ),
]
"""An organisationsnummer, normalised to ``NNNNNN-NNNN`` and Luhn-checked."""
CountyCode = Annotated[
    str,
    AfterValidator(_county_code),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(COUNTIES),
            "description": "A two-digit SCB county code (länskod).",
            "examples": ["12"],
        }
    ),
]
"""One of the 21 two-digit SCB county codes."""
MunicipalityCode = Annotated[
    str,
    AfterValidator(_municipality_code),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(MUNICIPALITIES),
            "description": "A four-digit SCB municipality code (kommunkod).",
            "examples": ["1280"],
        }
    ),
]
"""One of the 290 four-digit SCB municipality codes."""
SchoolUnitCode = Annotated[
    str,
    AfterValidator(_school_unit_code),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[0-9]{8}$",
            "description": "A skolenhetskod: eight digits.",
            "examples": ["12345678"],
        }
    ),
]
"""A skolenhetskod: eight digits."""
