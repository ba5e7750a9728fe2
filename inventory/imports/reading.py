"""Reading an uploaded asset file into a header and rows, or refusing it with a reason.

CSV (comma, semicolon or tab, detected from the header line; UTF-8 with or without BOM,
UTF-16 as Excel's "Unicode text", or Windows-1252 as older Swedish Excel saves it) and
XLSX (the first sheet). Row numbers are the file's: the header is row 1.
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

CSV_SUFFIXES = {"", ".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}
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


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ImportFileError(
            _("The file is %(size)s; files of at most %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        )


def read_table(
    content: bytes, file_name: str, *, encoding: str | None = None, delimiter: str | None = None
) -> Table:
    """The header and data rows of a CSV or XLSX file; ImportFileError if it has none."""
    check_size(len(content))
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    suffix = PurePath(file_name).suffix.lower()
    if content.startswith(b"PK\x03\x04"):
        if suffix not in XLSX_SUFFIXES and suffix not in CSV_SUFFIXES:
            raise _wrong_type()
        table = _read_xlsx(content)
    elif suffix in XLSX_SUFFIXES:
        raise ImportFileError(_("The file is not a readable XLSX workbook."))
    elif suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Save the sheet as XLSX or CSV.")
        )
    elif suffix in CSV_SUFFIXES:
        table = _read_csv(content, encoding=encoding, delimiter=delimiter)
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
        _("The file has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": f"{MAX_ROWS:,}".replace(",", "\xa0")}
    )


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _collect(rows_in) -> tuple[list[str], list[tuple[int, list]]]:
    """The first non-blank row as the header, then every non-blank row under it."""
    headers: list[str] = []
    rows: list[tuple[int, list]] = []
    for number, cells in enumerate(rows_in, 1):
        cells = list(cells)
        if all(_blank(c) for c in cells):
            continue
        if not headers:
            headers = ["" if c is None else str(c).strip() for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            continue
        if len(rows) >= MAX_ROWS:
            raise _too_many_rows()
        width = len(headers)
        rows.append((number, (cells + [None] * width)[:width]))
    return headers, rows


def _decode(content: bytes, encoding: str | None) -> tuple[str, str]:
    if encoding:
        try:
            return content.decode(encoding), encoding
        except LookupError:
            raise ImportFileError(
                _("“%(encoding)s” is not a known character encoding.") % {"encoding": encoding}
            ) from None
        except UnicodeDecodeError:
            raise ImportFileError(
                _("The file is not written in the %(encoding)s character encoding.")
                % {"encoding": encoding}
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


def _read_csv(content: bytes, *, encoding: str | None, delimiter: str | None) -> Table:
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
        headers, rows = _collect(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not a readable CSV file: %(error)s") % {"error": exc}
        ) from None
    return Table(headers, rows, "csv", encoding=used_encoding, delimiter=delimiter)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The file is empty."))
        sheet = workbook.worksheets[0]
        headers, rows = _collect(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    return Table(headers, rows, "xlsx")
