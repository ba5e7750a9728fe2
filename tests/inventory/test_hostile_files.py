"""Files built to hurt: each is refused with a message, quickly and within little memory,
instead of stalling a worker. The workbooks are made here the way an attacker would:
a real XLSX whose XML is then rewritten."""

import io
import re
import tracemalloc
import zipfile

import pytest

from inventory.imports.reading import (
    MAX_COLUMNS,
    MAX_FILE_ROWS,
    XLSX_SHARED_STRINGS_LIMIT,
    ImportFileError,
    read_table,
)
from inventory.zipcheck import ZipTooLarge, read_entry
from tests.inventory.import_files import xlsx_bytes

HEADER = ["Inventarienummer", "Kategori", "Bibliotek"]
SHEET = "xl/worksheets/sheet1.xml"


def rewritten(content: bytes, part: str, change) -> bytes:
    """The workbook with one part's XML changed by `change(text) -> text`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == part:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def read(content: bytes):
    """read_table's outcome, and the peak memory it took in MiB."""
    tracemalloc.start()
    try:
        return read_table(content, "lista.xlsx"), None
    except ImportFileError as exc:
        return None, str(exc)
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        assert peak < 64, f"reading took {peak:.0f} MiB"


def test_a_sheet_claiming_a_million_rows_of_16384_cells(tmp_path):
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])

    def claim_everything(xml):
        xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        last = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace("</sheetData>", last + "</sheetData>")

    hostile = rewritten(workbook, SHEET, claim_everything)
    assert len(hostile) < 10_000
    table, error = read(hostile)
    assert table is None and ("rader" in error or "rows" in error)


def test_blank_rows_count_toward_the_limit():
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])
    far = MAX_FILE_ROWS + 5

    def far_row(xml):
        row = f'<row r="{far}"><c r="A{far}" t="inlineStr"><is><t>HB-2</t></is></c></row>'
        return xml.replace("</sheetData>", row + "</sheetData>")

    table, error = read(rewritten(workbook, SHEET, far_row))
    assert table is None and error


def test_a_value_beyond_the_column_cap_is_refused_not_dropped():
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])

    def wide(xml):
        cell = '<c r="XFD2" t="inlineStr"><is><t>gömd</t></is></c></row>'
        return xml.replace("</row>", cell, 2).replace(cell, "</row>", 1)

    table, error = read(rewritten(workbook, SHEET, wide))
    assert table is None and str(MAX_COLUMNS) in error


def test_empty_cells_far_to_the_right_are_ignored():
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])

    def empty_far_right(xml):
        return xml.replace("</row>", '<c r="XFD1"/></row>', 1)

    table, error = read(rewritten(workbook, SHEET, empty_far_right))
    assert error is None and table.headers == HEADER


def test_shared_strings_that_inflate_too_far():
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        filler = "<si><t>" + "A" * 1000 + "</t></si>"
        big = filler * (XLSX_SHARED_STRINGS_LIMIT // len(filler) + 10)
        target.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            + big
            + "</sst>",
        )
    hostile = out.getvalue()
    assert len(hostile) < 1_000_000
    table, error = read(hostile)
    assert table is None and "XLSX" in error


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda xml: xml.replace("</sheetData>", "<row><c>"), id="malformed"),
        pytest.param(
            lambda xml: (
                '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
                + xml.split("?>", 1)[-1]
            ),
            id="dtd",
        ),
    ],
)
def test_malformed_xml_or_a_dtd_is_a_message_not_a_crash(change):
    workbook = xlsx_bytes([HEADER, ["HB-1", "Publik dator", "HB"]])
    table, error = read(rewritten(workbook, SHEET, change))
    assert table is None and "XLSX" in error


def test_a_csv_row_of_too_many_columns():
    content = (";".join(HEADER) + "\n" + ";".join(["x"] * (MAX_COLUMNS + 5)) + "\n").encode()
    with pytest.raises(ImportFileError, match=str(MAX_COLUMNS)):
        read_table(content, "lista.csv")


def zip_bomb(name: str, size: int) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open(name, "w", force_zip64=True) as entry,
    ):
        chunk = b"\0" * 2**20
        for _ in range(size // len(chunk)):
            entry.write(chunk)
    return out.getvalue()


def test_an_entry_is_never_read_beyond_its_cap():
    bomb = zip_bomb("mimetype", 64 * 2**20)
    assert len(bomb) < 200_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        tracemalloc.start()
        try:
            with pytest.raises(ZipTooLarge):
                read_entry(archive, "mimetype", limit=200)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    assert peak < 2**20
