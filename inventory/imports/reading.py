"""Reading an uploaded asset file into a header and rows, or refusing it with a reason.

CSV (comma, semicolon or tab, detected from the header line; UTF-8 with or without BOM,
UTF-16 as Excel's "Unicode text", or Windows-1252 as older Swedish Excel saves it) and
XLSX (the first sheet). Row numbers are the file's own, as a spreadsheet shows them.

The header need not be the first row: sheets kept for printing have a title and an empty
row above it. The header is the row among the first HEADER_SEARCH non-blank rows that
names the most known columns (the caller says how a row scores); rows above it are left
out, and `Table.header_row` says which row was taken.
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..zipcheck import ZipTooLarge, check_sizes

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
# How many non-blank rows at the top of a file may hold the header.
HEADER_SEARCH = 10
# A file's rows, blank ones counted, and its columns: more is refused before it is read
# on (a sheet can claim a million empty rows of 16 384 cells in 1.5 KB).
MAX_FILE_ROWS = MAX_ROWS + HEADER_SEARCH + 1_000
MAX_COLUMNS = 200
# What a workbook may inflate to: each part, the shared strings (held in memory whole),
# and all parts together. A 10 MB workbook of 50 000 rows stays well below.
XLSX_PART_LIMIT = 256 * 1024 * 1024
XLSX_SHARED_STRINGS_LIMIT = 64 * 1024 * 1024
XLSX_TOTAL_LIMIT = 512 * 1024 * 1024

CSV_SUFFIXES = {"", ".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
# The character encodings a user may choose for a CSV file, by their Python names.
ENCODINGS = {
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252",
    "iso-8859-1": "ISO-8859-1 (Latin-1)",
    "utf-16": "UTF-16",
    "cp850": "DOS (CP850)",
    "mac_roman": "Mac OS Roman",
}
DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t", ",": ",", ";": ";", "\t": "\t"}


class ImportFileError(Exception):
    """The file cannot be read at all; the message says why, in the user's language."""


@dataclass
class Table:
    headers: list[str]
    # (the file's row number, the cells), blank rows left out
    rows: list[tuple[int, list]]
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    # the file's row number of the header
    header_row: int = 1


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size)s; files of at most %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        )


def read_table(
    content: bytes,
    file_name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    header_score: Callable[[list[str]], int] | None = None,
) -> Table:
    """The header and data rows of a CSV or XLSX file; ImportFileError if it has none.

    `header_score` rates a row as the header (the number of known column names in it);
    without it, or when no row scores, the first row of more than one cell is the header.
    """
    check_size(len(content))
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    suffix = PurePath(file_name).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        if suffix not in XLSX_SUFFIXES and suffix not in CSV_SUFFIXES:
            raise _wrong_type()
        table = _read_xlsx(content, header_score)
    elif suffix in XLSX_SUFFIXES:
        raise ImportFileError(_("The file is not a readable XLSX workbook."))
    elif suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Save the sheet as XLSX or CSV.")
        )
    elif suffix in CSV_SUFFIXES:
        table = _read_csv(
            content, encoding=encoding, delimiter=delimiter, header_score=header_score
        )
    else:
        raise _wrong_type()
    if not table.headers:
        raise ImportFileError(_("The file is empty."))
    if not table.rows:
        raise ImportFileError(_("The file has a header row but no rows of assets under it."))
    return table


def _wrong_type() -> ImportFileError:
    return ImportFileError(_("Only CSV and XLSX files can be imported."))


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        ngettext(
            "The file has more than %(limit)s row. Split it into smaller files.",
            "The file has more than %(limit)s rows. Split it into smaller files.",
            MAX_ROWS,
        )
        % {"limit": f"{MAX_ROWS:,}".replace(",", "\xa0")}
    )


def _too_many_columns() -> ImportFileError:
    return ImportFileError(
        ngettext(
            "The file has more than %(limit)s column. Remove the columns that are not needed.",
            "The file has more than %(limit)s columns. Remove the columns that are not needed.",
            MAX_COLUMNS,
        )
        % {"limit": MAX_COLUMNS}
    )


def _not_readable_xlsx() -> ImportFileError:
    return ImportFileError(_("The file is not a readable XLSX workbook."))


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _collect(rows_in, header_score) -> tuple[list[str], list[tuple[int, list]], int]:
    """The header row (see the module's doc), then every non-blank row under it."""
    found: list[tuple[int, list]] = []
    for number, cells in enumerate(rows_in, 1):
        if number > MAX_FILE_ROWS:
            raise _too_many_rows()
        cells = list(cells)
        if len(cells) > MAX_COLUMNS:
            if any(not _blank(c) for c in cells[MAX_COLUMNS:]):
                raise _too_many_columns()
            cells = cells[:MAX_COLUMNS]
        if all(_blank(c) for c in cells):
            continue
        if len(found) >= MAX_ROWS + HEADER_SEARCH:
            raise _too_many_rows()
        found.append((number, cells))
    if not found:
        return [], [], 0
    at = _header_index(found[:HEADER_SEARCH], header_score)
    header_row, header_cells = found[at]
    headers = ["" if c is None else str(c).strip() for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    rows = found[at + 1 :]
    if len(rows) > MAX_ROWS:
        raise _too_many_rows()
    width = len(headers)
    return headers, [(n, (cells + [None] * width)[:width]) for n, cells in rows], header_row


def _header_index(candidates: list[tuple[int, list]], header_score) -> int:
    def texts(cells):
        return ["" if _blank(c) else str(c).strip() for c in cells]

    if header_score is not None:
        scores = [header_score(texts(cells)) for _n, cells in candidates]
        best = max(scores)
        if best > 0:
            return scores.index(best)
    for index, (_number, cells) in enumerate(candidates):
        if sum(1 for c in cells if not _blank(c)) > 1:
            return index
    return 0


def _decode(content: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return content.decode(encoding), encoding
        except UnicodeError:  # also what "idna" or "punycode" raise for a wrong file
            raise ImportFileError(
                _(
                    "The file is not written in the %(encoding)s character encoding. Choose "
                    "another character encoding (Windows-1252 for files from older Swedish "
                    "Excel), or save the file as “CSV UTF-8” or XLSX."
                )
                % {"encoding": ENCODINGS.get(encoding, encoding)}
            ) from None
        except (LookupError, ValueError):  # no such codec, or a name it cannot be
            raise ImportFileError(
                _("“%(encoding)s” is not a known character encoding.") % {"encoding": encoding}
            ) from None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        # UTF-8 is strict enough that Windows-1252 text with å, ä or ö fails it.
        candidates = ["utf-8-sig", "cp1252"]
    for candidate in candidates:
        try:
            return content.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _(
            "The file's characters could not be read. Save it as “CSV UTF-8” or as XLSX "
            "and try again."
        )
    )


def _detect_delimiter(text: str) -> str:
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in ";,\t"}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 1 else ","


def _read_csv(
    content: bytes, *, encoding: str | None, delimiter: str | None, header_score=None
) -> Table:
    text, used_encoding = _decode(content, encoding)
    if "\x00" in text:
        raise _wrong_type()
    if delimiter:
        if delimiter not in DELIMITERS:
            raise ImportFileError(
                _("“%(delimiter)s” cannot separate columns; use comma, semicolon or tab.")
                % {"delimiter": delimiter}
            )
        delimiter = DELIMITERS[delimiter]
    else:
        delimiter = _detect_delimiter(text)
    try:
        headers, rows, header_row = _collect(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), header_score
        )
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not a readable CSV file: %(error)s") % {"error": exc}
        ) from None
    return Table(
        headers,
        rows,
        "csv",
        encoding=used_encoding,
        delimiter=delimiter,
        header_row=header_row,
    )


def _read_xlsx(content: bytes, header_score=None) -> Table:
    """The first sheet, streamed: rows as the sheet's XML has them, never padded to the
    size its `<dimension>` claims, and no wider than MAX_COLUMNS."""
    from openpyxl import load_workbook

    _check_workbook(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, ParseError):
        raise _not_readable_xlsx() from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        # Without this, a sheet claiming A1:XFD1048576 is read as a million rows of
        # 16 384 cells each.
        sheet.reset_dimensions()
        _bound_columns(sheet)
        headers, rows, header_row = _collect(sheet.iter_rows(values_only=True), header_score)
    except (ParseError, zipfile.BadZipFile, KeyError, ValueError, TypeError, EOFError):
        raise _not_readable_xlsx() from None
    finally:
        workbook.close()
    return Table(headers, rows, "xlsx", header_row=header_row)


def _bound_columns(sheet) -> None:
    """Refuse a row with a value beyond MAX_COLUMNS before its cells are made: a row with
    one cell in column XFD would otherwise become 16 384 cells. (openpyxl's read-only
    sheet makes each row's cells in `_get_row`; openpyxl is pinned, and the hostile-file
    tests fail if this stops working.)"""
    make_row = sheet._get_row

    def bounded(row, min_col=1, max_col=None, values_only=False):
        if row and max(cell["column"] for cell in row) > MAX_COLUMNS:
            beyond = [c for c in row if c["column"] > MAX_COLUMNS and not _blank(c["value"])]
            if beyond:
                raise _too_many_columns()
            row = [cell for cell in row if cell["column"] <= MAX_COLUMNS]
        return make_row(row, min_col, max_col, values_only)

    sheet._get_row = bounded


def _check_workbook(content: bytes) -> None:
    """Refuse a workbook that would inflate too far, or whose XML declares a DTD (the
    way to entity expansion), before any of it is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            check_sizes(
                archive,
                entry_limit=XLSX_PART_LIMIT,
                total_limit=XLSX_TOTAL_LIMIT,
                limits={"xl/sharedStrings.xml": XLSX_SHARED_STRINGS_LIMIT},
            )
            for info in archive.infolist():
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        head = part.read(65536)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _not_readable_xlsx()
    except ZipTooLarge:
        raise ImportFileError(
            _(
                "The workbook unpacks to more than Inventera reads. Save the sheet again "
                "as XLSX or CSV with only the equipment list."
            )
        ) from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise _not_readable_xlsx() from None
