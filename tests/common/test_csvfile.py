"""Every CSV the system writes is safe to open in a spreadsheet and keeps codes as codes."""

from __future__ import annotations

import csv
import io

import pytest

from common.csvfile import BOM, cell, document, lines


class TestCells:
    @pytest.mark.parametrize(
        "text", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]
    )
    def test_text_a_spreadsheet_would_run_is_neutralised_always(self, text: str) -> None:
        assert cell(text) == f"'{text}"
        assert cell(text, excel=True) == f"'{text}"

    @pytest.mark.parametrize("number", [0, -42857142, 428571.43, 2**53])
    def test_numbers_stay_numbers(self, number: float) -> None:
        assert cell(number) == number
        assert cell(number, excel=True) == number

    def test_a_code_with_a_leading_zero_is_text_for_excel_and_as_is_otherwise(self) -> None:
        assert cell("01", excel=True) == '="01"'
        assert cell("0180", excel=True) == '="0180"'
        assert cell("01") == "01"
        assert cell("12", excel=True) == "12"
        assert cell("0", excel=True) == "0"

    def test_none_is_blank_and_plain_text_is_as_is(self) -> None:
        assert cell(None) == ""
        assert cell("RSS Skåne") == "RSS Skåne"


class TestDocuments:
    def test_excel_has_a_bom_semicolons_and_reads_back(self) -> None:
        written = document([["code", "amount"], ["01", -5], ["=x", 3]], excel=True)
        text = written.decode("utf-8")
        assert text.startswith(BOM)
        rows = list(csv.reader(io.StringIO(text.removeprefix(BOM)), delimiter=";"))
        assert rows == [["code", "amount"], ['="01"', "-5"], ["'=x", "3"]]

    def test_plain_csv_has_commas_and_no_bom(self) -> None:
        assert lines([["a", None, 1]]) == "a,,1\r\n"
        assert not document([["a"]]).decode("utf-8").startswith(BOM)
