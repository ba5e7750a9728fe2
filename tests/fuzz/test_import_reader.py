"""`read_table`, given random bytes, random CSV text and random workbooks.

It returns a table whose every row is as wide as its header, or raises ImportFileError
with a message for the user; nothing else, whatever the file.
"""

import csv
import io
from datetime import date, datetime

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from inventory.imports.reading import DELIMITERS, ENCODINGS, ImportFileError, read_table
from tests.fuzz.strategies import FILE_EXAMPLES, hostile_text

NAMES = ["lista.csv", "lista.CSV", "lista.txt", "lista.tsv", "lista", "lista.xlsx", "lista.xlsm"]
OTHER_NAMES = ["lista.xls", "lista.pdf", "../lista.csv", "lista.csv.exe", "\x00.csv"]
file_names = st.one_of(st.sampled_from(NAMES + OTHER_NAMES), hostile_text)
# The encodings a user can ask for: one of the web form's, or a name typed after
# `import_assets --encoding` (never with a NUL: a command line cannot hold one).
encodings = st.one_of(
    st.none(),
    st.sampled_from(sorted(ENCODINGS)),
    st.sampled_from(["utf-8", "latin-1", "ascii", "utf-99", "rot13", "hex", "ebcdic", "?"]),
    hostile_text.filter(lambda name: "\x00" not in name and name not in ("idna", "punycode")),
)
delimiters = st.one_of(st.none(), st.sampled_from(sorted(DELIMITERS)), hostile_text)
# What a file may start with, to reach each way the reader goes.
MAGIC = [b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"]


def score(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.lower() in {"inventarienummer", "kategori", "tag"})


def read(content: bytes, file_name: str, encoding, delimiter, scored: bool):
    try:
        table = read_table(
            content,
            file_name,
            encoding=encoding,
            delimiter=delimiter,
            header_score=score if scored else None,
        )
    except ImportFileError as exc:
        assert str(exc), "a refusal without a message"
        return None
    assert table.headers and all(isinstance(header, str) for header in table.headers)
    assert table.rows
    for number, cells in table.rows:
        assert number > table.header_row
        assert len(cells) == len(table.headers)
    return table


@settings(max_examples=FILE_EXAMPLES)
@given(
    magic=st.sampled_from(MAGIC),
    body=st.binary(max_size=2048),
    file_name=file_names,
    encoding=encodings,
    delimiter=delimiters,
    scored=st.booleans(),
)
@example(b"", b"", "lista.csv", None, None, False)
@example(b"PK\x03\x04", b"\x00" * 100, "lista.xlsx", None, None, False)
def test_random_bytes(magic, body, file_name, encoding, delimiter, scored):
    read(magic + body, file_name, encoding, delimiter, scored)


cells = st.one_of(hostile_text, st.just(""), st.sampled_from(["Inventarienummer", "Kategori"]))


@settings(max_examples=FILE_EXAMPLES)
@given(
    rows=st.lists(st.lists(cells, max_size=8), max_size=15),
    separator=st.sampled_from([";", ",", "\t", "|", ""]),
    quoted=st.booleans(),
    file_encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "cp850"]),
    encoding=encodings,
    delimiter=delimiters,
    scored=st.booleans(),
)
def test_random_csv_text(rows, separator, quoted, file_encoding, encoding, delimiter, scored):
    if quoted and separator:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=separator).writerows(rows)
        text = buffer.getvalue()
    else:  # no quoting at all: stray quotes and separators inside cells
        text = "\r\n".join(separator.join(row) for row in rows)
    content = text.encode(file_encoding, errors="replace")
    read(content, "lista.csv", encoding, delimiter, scored)


workbook_cells = st.one_of(
    st.none(),
    hostile_text.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)[:1000]),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.datetimes(min_value=datetime(1900, 3, 1)),
)


@settings(max_examples=FILE_EXAMPLES // 3)
@given(
    rows=st.lists(st.lists(workbook_cells, max_size=8), max_size=12),
    cut=st.one_of(st.none(), st.integers(min_value=0, max_value=5000)),
    scored=st.booleans(),
)
def test_random_workbooks(rows, cut, scored):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()
    if cut is not None:  # a workbook broken off part-way
        content = content[:cut]
    read(content, "lista.xlsx", None, None, scored)


@pytest.mark.parametrize("encoding", ["idna", "punycode", "utf-8\x00"])
def test_an_encoding_that_fails_otherwise_is_a_refusal(encoding):
    read(b"xn--;Kategori\r\nHB-1;x\r\n", "lista.csv", encoding, None, False)
