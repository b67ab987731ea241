"""The one reader of Swedish-Excel files: CSV as it streams in, and an XLSX's first sheet."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from datetime import date

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]  # no stubs in the lock

from common import tables
from common.tables import CsvReader, NotUtf8, Records, TableTooLarge, UnreadableTable

Numbered = list[tuple[int, list[str]]]


def numbered(records: Iterable[Records]) -> Numbered:
    return [(chunk.first_row + i, row) for chunk in records for i, row in enumerate(chunk.rows)]


def read_csv(*chunks: bytes) -> Numbered:
    reader = CsvReader()
    found: Numbered = []
    for chunk in chunks:
        found += numbered(reader.feed(chunk))
    return found + numbered(reader.finish())


def pieces(body: bytes, size: int) -> list[bytes]:
    return [body[start : start + size] for start in range(0, len(body), size)]


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(body: bytes, chunk_rows: int = 5000) -> list[Records]:
    return list(tables.xlsx_records(io.BytesIO(body), chunk_rows=chunk_rows))


EXCEL = "\ufeffrespondent;q1;q2\r\nA1;1;2\r\nA2;;5\r\n".encode()
EXPECTED = [(1, ["respondent", "q1", "q2"]), (2, ["A1", "1", "2"]), (3, ["A2", "", "5"])]


class TestCsv:
    @pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
    def test_semicolons_with_a_bom_and_any_line_end(self, line_end: str) -> None:
        body = EXCEL.decode().replace("\r\n", line_end).encode()

        assert read_csv(body) == EXPECTED

    def test_commas_when_the_first_line_has_more_of_them(self) -> None:
        assert read_csv(b"respondent,q1,q2\nA1,1;2,3\n") == [
            (1, ["respondent", "q1", "q2"]),
            (2, ["A1", "1;2", "3"]),
        ]

    @pytest.mark.parametrize("size", [1, 2, 3, 7])
    def test_a_body_in_tiny_pieces_reads_the_same(self, size: int) -> None:
        assert read_csv(*pieces(EXCEL, size)) == EXPECTED

    def test_quoted_fields_hold_delimiters_quotes_and_line_ends_in_one_record(self) -> None:
        body = b'a;b\r\n"x;y";"say ""hej""\r\nagain"\r\nlast;1\r\n'

        assert read_csv(*pieces(body, 4)) == [
            (1, ["a", "b"]),
            (2, ["x;y", 'say "hej"\r\nagain']),
            (3, ["last", "1"]),
        ]

    def test_an_empty_body_has_no_records(self) -> None:
        assert read_csv(b"") == []
        assert read_csv(b"\xef\xbb\xbf") == []

    def test_a_record_without_a_final_line_end_is_read(self) -> None:
        assert read_csv(b"a;b\r\n1;2") == [(1, ["a", "b"]), (2, ["1", "2"])]

    def test_not_utf8_names_the_first_bad_byte_from_the_files_start(self) -> None:
        body = "respondent;namn\r\nA1;Åsa\r\n".encode("latin-1")

        with pytest.raises(NotUtf8) as raised:
            read_csv(*pieces(body, 5))

        assert raised.value.offset == body.index("Å".encode("latin-1"))
        assert "not UTF-8 text (byte 20)" in raised.value.detail
        assert "position 20: invalid continuation byte" in raised.value.reason

    @pytest.mark.parametrize(
        ("body", "words"),
        [
            (b'a;b\r\nA1;"1;2\r\n', "ends inside a quoted field"),
            (b'a;b\r\nA1;"1"x;2\r\n', "Malformed CSV in row 2"),
        ],
    )
    def test_malformed_quoting_is_unreadable(self, body: bytes, words: str) -> None:
        with pytest.raises(UnreadableTable) as raised:
            read_csv(body)

        assert words in raised.value.detail

    def test_a_record_longer_than_the_limit_is_unreadable(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tables, "MAX_PENDING", 100)

        with pytest.raises(UnreadableTable) as raised:
            read_csv(*pieces(b'a;b\r\n"' + b"x" * 200, 50))

        assert "never closed" in raised.value.detail


class TestXlsx:
    def test_the_first_sheet_is_read_as_text_cells_each_row_up_to_its_last_value(self) -> None:
        body = workbook(["respondent", "q1", "när"], ["A1", 3, date(2019, 9, 16)], ["A2", 2.0])

        assert read_xlsx(body) == [
            Records(
                1,
                [["respondent", "q1", "när"], ["A1", "3", "2019-09-16T00:00:00"], ["A2", "2"]],
            )
        ]

    def test_rows_come_in_chunks_numbered_from_the_first(self) -> None:
        body = workbook(["respondent"], ["A1"], ["A2"], ["A3"])

        chunks = read_xlsx(body, chunk_rows=3)

        assert [(chunk.first_row, len(chunk.rows)) for chunk in chunks] == [(1, 3), (4, 1)]

    def test_what_is_not_a_zip_archive_is_unreadable(self) -> None:
        with pytest.raises(UnreadableTable) as raised:
            read_xlsx(b"respondent;q1\r\nA1;1\r\n")

        assert "not an XLSX workbook" in raised.value.detail

    def test_a_zip_bomb_is_too_large_before_it_is_expanded(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 << 20))

        with pytest.raises(TableTooLarge) as raised:
            read_xlsx(out.getvalue())

        assert "zip bomb" in raised.value.detail

    def test_a_part_declaring_entities_is_refused(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>')

        with pytest.raises(UnreadableTable) as raised:
            read_xlsx(out.getvalue())

        assert "entities" in raised.value.detail
