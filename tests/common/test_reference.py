"""Swedish reference data and validators: no database, no app."""

from __future__ import annotations

from collections import Counter

import pytest
from pydantic import BaseModel, ValidationError

from common.reference import (
    COUNTIES,
    COUNTRY,
    MUNICIPALITIES,
    CountyCode,
    MunicipalityCode,
    OrganisationNumber,
    SchoolUnitCode,
    is_county_code,
    is_municipality_code,
    is_school_unit_code,
    is_valid_organisation_number,
    looks_like_personnummer,
    luhn_check_digit,
    municipalities_in,
    normalise_organisation_number,
)

SCB_COUNTY_CODES = [
    "01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
    "14", "17", "18", "19", "20", "21", "22", "23", "24", "25",
]  # fmt: skip

MUNICIPALITIES_PER_COUNTY = {
    "01": 26, "03": 8, "04": 9, "05": 13, "06": 13, "07": 8, "08": 12, "09": 1, "10": 5,
    "12": 33, "13": 6, "14": 49, "17": 16, "18": 12, "19": 10, "20": 15, "21": 10, "22": 7,
    "23": 8, "24": 15, "25": 14,
}  # fmt: skip


class TestCountry:
    def test_country_is_sverige_with_code_se(self) -> None:
        assert (COUNTRY.code, COUNTRY.name, COUNTRY.english_name) == ("SE", "Sverige", "Sweden")


class TestCounties:
    def test_there_are_21_counties_with_exactly_the_scb_codes_in_order(self) -> None:
        assert list(COUNTIES) == SCB_COUNTY_CODES

    def test_each_county_is_keyed_by_its_own_code(self) -> None:
        assert all(county.code == code for code, county in COUNTIES.items())

    @pytest.mark.parametrize(
        ("code", "name", "english_name"),
        [
            ("01", "Stockholms län", "Stockholm County"),
            ("03", "Uppsala län", "Uppsala County"),
            ("09", "Gotlands län", "Gotland County"),
            ("12", "Skåne län", "Skåne County"),
            ("14", "Västra Götalands län", "Västra Götaland County"),
            ("25", "Norrbottens län", "Norrbotten County"),
        ],
    )
    def test_known_county_names(self, code: str, name: str, english_name: str) -> None:
        assert (COUNTIES[code].name, COUNTIES[code].english_name) == (name, english_name)

    def test_every_swedish_name_ends_in_lan(self) -> None:
        assert all(county.name.endswith(" län") for county in COUNTIES.values())

    @pytest.mark.parametrize(
        ("code", "expected"),
        [("01", True), ("25", True), ("02", False), ("11", False), ("1", False), ("SE", False)],
    )
    def test_is_county_code(self, code: str, expected: bool) -> None:
        assert is_county_code(code) is expected

    def test_the_mapping_cannot_be_changed(self) -> None:
        with pytest.raises(TypeError):
            COUNTIES["02"] = COUNTIES["01"]  # type: ignore[index]  # the point: it is read-only


class TestMunicipalities:
    def test_there_are_290_municipalities_with_unique_four_digit_codes(self) -> None:
        assert len(MUNICIPALITIES) == 290
        assert all(len(code) == 4 and code.isdigit() for code in MUNICIPALITIES)
        assert len({m.name for m in MUNICIPALITIES.values()}) == 290

    def test_each_code_begins_with_its_county_code(self) -> None:
        for code, municipality in MUNICIPALITIES.items():
            assert municipality.code == code
            assert code[:2] == municipality.county_code
            assert municipality.county_code in COUNTIES

    def test_counts_per_county(self) -> None:
        counts = Counter(m.county_code for m in MUNICIPALITIES.values())
        assert counts == MUNICIPALITIES_PER_COUNTY
        assert sum(MUNICIPALITIES_PER_COUNTY.values()) == 290

    @pytest.mark.parametrize(
        ("code", "name"),
        [
            ("0114", "Upplands Väsby"),
            ("0180", "Stockholm"),
            ("0330", "Knivsta"),
            ("0331", "Heby"),
            ("0360", "Tierp"),
            ("0980", "Gotland"),
            ("1280", "Malmö"),
            ("1480", "Göteborg"),
            ("1880", "Örebro"),
            ("2023", "Malung-Sälen"),
            ("2480", "Umeå"),
            ("2584", "Kiruna"),
        ],
    )
    def test_known_code_and_name(self, code: str, name: str) -> None:
        assert MUNICIPALITIES[code].name == name

    def test_a_municipality_knows_its_county(self) -> None:
        assert MUNICIPALITIES["2584"].county.name == "Norrbottens län"

    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("0180", True),
            ("0331", True),
            ("0381", True),
            ("1999", False),
            ("0100", False),
            ("180", False),
        ],
    )
    def test_is_municipality_code(self, code: str, expected: bool) -> None:
        assert is_municipality_code(code) is expected


class TestMunicipalitiesIn:
    def test_gotland_has_one_municipality(self) -> None:
        assert [m.name for m in municipalities_in("09")] == ["Gotland"]

    def test_uppsala_lists_its_eight_in_code_order(self) -> None:
        codes = [m.code for m in municipalities_in("03")]
        assert codes == ["0305", "0319", "0330", "0331", "0360", "0380", "0381", "0382"]

    def test_unknown_county_is_a_value_error(self) -> None:
        with pytest.raises(ValueError, match="not a Swedish county code"):
            municipalities_in("02")


class TestLuhn:
    @pytest.mark.parametrize(
        ("payload", "check"),
        [("212000014", 2), ("232100001", 6), ("222000018", 2), ("811218987", 6)],
    )
    def test_check_digit(self, payload: str, check: int) -> None:
        assert luhn_check_digit(payload) == check


class TestOrganisationNumber:
    @pytest.mark.parametrize("number", ["212000-0142", "232100-0016", "222000-0182"])
    def test_valid_numbers_are_accepted(self, number: str) -> None:
        assert is_valid_organisation_number(number)
        assert normalise_organisation_number(number) == number

    @pytest.mark.parametrize(
        "number",
        ["212000-0141", "212000-0143", "232100-0015", "232100-0017", "222000-0181", "222000-0183"],
    )
    def test_off_by_one_check_digit_is_rejected(self, number: str) -> None:
        assert not is_valid_organisation_number(number)
        with pytest.raises(ValueError, match="wrong check digit"):
            normalise_organisation_number(number)

    @pytest.mark.parametrize("raw", ["2120000142", " 212000-0142 ", "212000-0142\n"])
    def test_ten_digits_are_normalised(self, raw: str) -> None:
        assert normalise_organisation_number(raw) == "212000-0142"

    @pytest.mark.parametrize(
        "raw",
        [
            "",
            "21200-00142",
            "212000 0142",
            "212000-014",
            "16212000-0142",
            "2120000142x",
            "２１２０００-０１４２",
        ],
    )
    def test_wrong_shape_is_rejected_with_a_clear_message(self, raw: str) -> None:
        with pytest.raises(ValueError, match="must be ten digits"):
            normalise_organisation_number(raw)


class TestSchoolUnitCode:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("12345678", True),
            ("00000001", True),
            ("1234567", False),
            ("123456789", False),
            ("1234-5678", False),
            ("1234567a", False),
        ],
    )
    def test_is_exactly_eight_digits(self, value: str, expected: bool) -> None:
        assert is_school_unit_code(value) is expected


class TestLooksLikePersonnummer:
    @pytest.mark.parametrize(
        "value",
        [
            "800101-1234",  # YYMMDD-NNNN
            "800101+1234",  # over a hundred years old
            "8001011234",  # YYMMDDNNNN
            "198001011234",  # YYYYMMDDNNNN
            "19800101-1234",  # YYYYMMDD-NNNN
            "20100229-1234",  # any 29 February: the century of a YY form is unknown
            "800101 1234",  # space as separator
            "800101-1235",  # wrong Luhn digit: still refused
            "800161-1234",  # samordningsnummer, day 1 + 60
            "800191-1234",  # samordningsnummer, day 31 + 60
            "800160-1234",  # samordningsnummer, unknown day
            "198001611234",  # samordningsnummer, twelve digits
            " 800101-1234 ",
            "pnr: 800101-1234",
            "elev800101-1234",
            "8001011234.0",  # a spreadsheet turned it into a float
            "800101\u20131234",  # en dash from a word processor
            "800101\u00a01234",  # no-break space
            "\uff18\uff10\uff10\uff11\uff10\uff11-\uff11\uff12\uff13\uff14",  # full-width digits
        ],
    )
    def test_flags_what_could_be_a_personal_identity_number(self, value: str) -> None:
        assert looks_like_personnummer(value)

    @pytest.mark.parametrize(
        "value",
        [
            "A017",
            "elev-0042",
            "S12-0003",
            "3",
            "42",
            "",
            "12345678",  # school unit code
            "19800101",  # a date alone
            "800101",
            "800132-1234",  # no 32nd day
            "800230-1234",  # no 30 February
            "801301-1234",  # no 13th month
            "800100-1234",  # no day 0
            "800192-1234",  # 32 + 60
            "80010112345",  # eleven digits
            "1980010112345",  # thirteen digits
            "12800101-1234",  # century 12
            "2019-09-23 10:15",
        ],
    )
    def test_leaves_ordinary_values_alone(self, value: str) -> None:
        assert not looks_like_personnummer(value)


class Registration(BaseModel):
    organisation_number: OrganisationNumber
    county_code: CountyCode
    municipality_code: MunicipalityCode
    school_unit_code: SchoolUnitCode


class TestPydanticTypes:
    def test_valid_values_pass_and_the_number_is_normalised(self) -> None:
        model = Registration(
            organisation_number="2120000142",
            county_code="01",
            municipality_code="0180",
            school_unit_code="12345678",
        )
        assert model.organisation_number == "212000-0142"

    def test_each_invalid_value_gets_its_own_clear_message(self) -> None:
        with pytest.raises(ValidationError) as caught:
            Registration(
                organisation_number="212000-0143",
                county_code="02",
                municipality_code="0199",
                school_unit_code="1234",
            )
        messages = {str(error["loc"][0]): error["msg"] for error in caught.value.errors()}
        assert "wrong check digit" in messages["organisation_number"]
        assert "not a Swedish county code" in messages["county_code"]
        assert "not a Swedish municipality code" in messages["municipality_code"]
        assert "school unit code" in messages["school_unit_code"]
