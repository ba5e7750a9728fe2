"""Files as other systems and people write them, byte for byte, for the import tests.

Each function returns the bytes of one kind of real file: its encoding, separator,
quoting, line ends, column names and the way it writes dates, amounts and empty cells.
The docstrings say which file is imitated and what each quirk is.

Rows are dicts keyed by the file's column names (a missing column is an empty cell; an
unknown name is an error, so a typo fails at once) or lists in column order. A value may
be a str, written as it is; a date or datetime, a Decimal or an int, written the way that
system writes one; or None, an empty cell.

The default rows are of two libraries of a municipality, Huvudbiblioteket (tags HB-…)
and Norrbiblioteket (NO-…). Their places are named as in the tests' fixtures:
"Plan 2 – vid vuxeninformationen" and "Förråd IT" in the main library, "Publika datorer"
in Norrbiblioteket; the categories "Publik dator" and "VR-kit" exist there too.
"""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

# ---------------------------------------------------------------------------------------
# Snipe-IT: the sample CSV of its asset import

SNIPEIT_SAMPLE_COLUMNS = [
    "Company",
    "Name",
    "Asset Tag",
    "Category",
    "Supplier",
    "Manufacturer",
    "Location",
    "Order Number",
    "Model",
    "Model Notes",
    "Model Number",
    "Asset Notes",
    "Purchase Date",
    "Purchase Cost",
    "Checkout Type",
    "Checked Out To: Username",
    "Checked Out To: First Name",
    "Checked Out To: Last Name",
    "Checked Out To: Email",
    "Checked Out To: Location",
]
# The version of the sample with US dates has one more column at the end.
SNIPEIT_SAMPLE_EOL = "Asset EOL Date"
_CHECKED_OUT_TO = [name for name in SNIPEIT_SAMPLE_COLUMNS if name.startswith("Checked Out To:")]

COMPANY = "Kultur- och fritidsförvaltningen"

SNIPEIT_SAMPLE_ROWS = [
    {
        "Company": COMPANY,
        "Name": "hb-pub-01",
        "Asset Tag": "HB-0001",
        "Category": "Publik dator",
        "Supplier": "Atea Sverige AB",
        "Manufacturer": "Lenovo",
        "Location": "Plan 2 – vid vuxeninformationen",
        "Order Number": "4500123456",
        "Model": "ThinkCentre M70q",
        # a quotation mark (inches) inside a value
        "Model Notes": 'Med skärm Lenovo T24i, 24"',
        "Model Number": "11T3",
        "Asset Notes": "Låst till katalogsök, återställs varje natt",
        "Purchase Date": date(2023, 1, 23),
        "Purchase Cost": Decimal("8495.50"),
        "Checkout Type": "Location",
        "Checked Out To: Location": "Plan 2 – vid vuxeninformationen",
        SNIPEIT_SAMPLE_EOL: date(2027, 1, 23),
    },
    {
        "Company": COMPANY,
        "Name": "hb-skrivare-02",
        "Asset Tag": "HB-0002",
        "Category": "Skrivare",
        "Supplier": "Dustin Sverige AB",
        "Manufacturer": "HP",
        "Location": "Förråd IT",
        "Order Number": "4500123789",
        "Model": "LaserJet Pro 4002dn",
        "Model Number": "2Z605F",
        "Purchase Date": date(2022, 11, 14),
        "Purchase Cost": Decimal("4290.00"),
        "Checkout Type": "User",
        "Checked Out To: Username": "anna.lindqvist",
        "Checked Out To: First Name": "Anna",
        "Checked Out To: Last Name": "Lindqvist",
        "Checked Out To: Email": "anna.lindqvist@exempelstad.se",
        SNIPEIT_SAMPLE_EOL: date(2027, 11, 14),
    },
    {
        "Company": COMPANY,
        "Name": "hb-vr-01",
        "Asset Tag": "HB-0003",
        "Category": "VR-kit",
        "Supplier": "Webhallen Sverige AB",
        "Manufacturer": "Meta",
        "Location": "Plan 2 – vid vuxeninformationen",
        "Order Number": "4500124001",
        "Model": "Meta Quest 3",
        "Asset Notes": "Bokas i informationsdisken, från 13 år",
        "Purchase Date": date(2024, 3, 5),
        "Purchase Cost": Decimal("6990.00"),
    },
    {
        "Company": COMPANY,
        "Name": "no-pub-01",
        "Asset Tag": "NO-0001",
        "Category": "Publik dator",
        "Supplier": "Atea Sverige AB",
        "Manufacturer": "Lenovo",
        "Location": "Publika datorer",
        "Order Number": "4500125310",
        "Model": "ThinkCentre M70q",
        "Model Number": "11T3",
        # 5/12/23 is the 12th of May; a Swedish reader would take it for the 5th of December
        "Purchase Date": date(2023, 5, 12),
        "Purchase Cost": Decimal("8495.50"),
        "Checkout Type": "User",
        "Checked Out To: Username": "erik.johansson",
        "Checked Out To: First Name": "Erik",
        "Checked Out To: Last Name": "Johansson",
        "Checked Out To: Email": "erik.johansson@exempelstad.se",
        SNIPEIT_SAMPLE_EOL: date(2027, 5, 12),
    },
]


def snipeit_sample_csv(rows=None, *, us_dates=True) -> bytes:
    """Snipe-IT's sample CSV for its asset import, the file people copy to start from.

    Two versions of that sample exist, and `us_dates` chooses which one is imitated:

    - us_dates=True: dates as US month/day/two-digit year without leading zeros
      ("1/23/23", "11/14/22"), one more column at the end, "Asset EOL Date", and an
      empty cell always bare (`,,`). The file does not end with a line break.
    - us_dates=False: ISO dates ("2023-01-23"), no "Asset EOL Date" column, and the five
      "Checked Out To: …" cells written as `""` when empty while every other empty cell
      is bare. The file ends with a line break.

    Both: UTF-8 without a byte order mark, commas, lines ended by LF alone; a value is
    quoted only when it holds a comma, a quotation mark or a line break, a quotation mark
    doubled inside the quotes (the inch mark of 24" is written 24"" in "Model Notes");
    the cost a plain number with a decimal point and no trailing zeros ("8495.5", "6990").
    "Checkout Type" is "User", "Location" or empty, and says which of the "Checked Out
    To: …" cells are filled. "Company" is filled on every row; "Name" is the asset's name
    in Snipe-IT, here the computer's network name.
    """
    header = SNIPEIT_SAMPLE_COLUMNS + ([SNIPEIT_SAMPLE_EOL] if us_dates else [])
    rows = SNIPEIT_SAMPLE_ROWS if rows is None else rows

    def text(value):
        if isinstance(value, date):
            if us_dates:
                return f"{value.month}/{value.day}/{value:%y}"
            return value.isoformat()
        if isinstance(value, Decimal | int):
            return _plain_number(value)
        return "" if value is None else str(value)

    lines = [_minimal_csv_line(header)]
    for row in rows:
        cells = [text(value) for value in _cells(row, header, ignore=(SNIPEIT_SAMPLE_EOL,))]
        line = _minimal_csv_line(cells)
        if not us_dates:
            parts = _minimal_csv_cells(cells)
            for index, name in enumerate(header):
                if name in _CHECKED_OUT_TO and cells[index] == "":
                    parts[index] = '""'
            line = ",".join(parts)
        lines.append(line)
    content = "\n".join(lines) + ("" if us_dates else "\n")
    return content.encode("utf-8")


# ---------------------------------------------------------------------------------------
# Snipe-IT: the Custom Asset Report

# The report's columns when these boxes are ticked: Company, Asset Name, Asset Tag, Model,
# Category, Manufacturer, Serial, Purchase Date, Purchase Cost, EOL, Warranty, Order
# Number, Supplier, Location, Location Address, Checked Out To, Username, Status, Notes.
# Ticking a box may add several columns ("Model" adds "Model No.", "Warranty" adds
# "Warranty Expires"); the address adds two columns both named "Address". Their keys in
# SNIPEIT_REPORT_KEYS tell the two apart: "Address" and "Address 2".
SNIPEIT_REPORT_COLUMNS = [
    "Company",
    "Asset Name",
    "Asset Tag",
    "Model",
    "Model No.",
    "Category",
    "Manufacturer",
    "Serial",
    "Purchased",
    "Cost",
    "EOL",
    "Warranty",
    "Warranty Expires",
    "Order Number",
    "Supplier",
    "Location",
    "Address",
    "Address",
    "City",
    "State",
    "Country",
    "Zip",
    "Checked Out",
    "Type",
    "Username",
    "Status",
    "Notes",
]
SNIPEIT_REPORT_KEYS = [
    "Address 2" if index == 17 else name for index, name in enumerate(SNIPEIT_REPORT_COLUMNS)
]

_HB_ADDRESS = {
    "Address": "Biblioteksgatan 1",
    "Address 2": "Plan 2",
    "City": "Exempelstad",
    "State": "Västernorrlands län",
    "Country": "SE",
    "Zip": "852 30",
}
_NO_ADDRESS = {
    "Address": "Norra vägen 14",
    "City": "Exempelstad",
    "State": "Västernorrlands län",
    "Country": "SE",
    "Zip": "856 40",
}

SNIPEIT_REPORT_ROWS = [
    {
        "Company": COMPANY,
        "Asset Name": "hb-pub-01",
        "Asset Tag": "HB-0001",
        "Model": "ThinkCentre M70q",
        "Model No.": "11T3",
        "Category": "Publik dator",
        "Manufacturer": "Lenovo",
        "Serial": "PF3A1B2C",
        "Purchased": date(2023, 5, 12),
        "Cost": Decimal("8495.50"),
        "EOL": date(2027, 5, 12),
        "Warranty": 36,
        "Warranty Expires": date(2026, 5, 12),
        "Order Number": "4500123456",
        "Supplier": "Atea Sverige AB",
        "Location": "Plan 2 – vid vuxeninformationen",
        **_HB_ADDRESS,
        "Status": "Ready to Deploy (deployable)",
        "Notes": "Låst till katalogsök",
    },
    {
        "Company": COMPANY,
        "Asset Name": "hb-pers-07",
        "Asset Tag": "HB-0007",
        "Model": "EliteBook 840 G10",
        "Model No.": "818N3EA",
        "Category": "Bärbar dator",
        "Manufacturer": "HP",
        "Serial": "5CG3341XYZ",
        "Purchased": date(2023, 9, 1),
        "Cost": Decimal("14990.00"),
        "EOL": date(2027, 9, 1),
        "Warranty": 36,
        "Warranty Expires": date(2026, 9, 1),
        "Order Number": "4500124570",
        "Supplier": "Dustin Sverige AB",
        "Location": "Förråd IT",
        **_HB_ADDRESS,
        "Checked Out": "Anna Lindqvist",
        "Type": "user",
        "Username": "anna.lindqvist",
        "Status": "Ready to Deploy (deployed)",
        # a line break inside a value, and a value Snipe-IT escapes as a formula
        "Notes": "- Ny SSD 2024-09\nÄrende 12345 hos Atea",
    },
    {
        "Company": COMPANY,
        "Asset Name": "hb-vr-01",
        "Asset Tag": "HB-0003",
        "Model": "Meta Quest 3",
        "Category": "VR-kit",
        "Manufacturer": "Meta",
        "Serial": "2G0YC1ZF8B04NN",
        "Purchased": date(2024, 3, 5),
        "Cost": Decimal("6990.00"),
        "Order Number": "4500124001",
        "Supplier": "Webhallen Sverige AB",
        "Location": "Plan 2 – vid vuxeninformationen",
        **_HB_ADDRESS,
        "Status": "Out for Repair (undeployable)",
        "Notes": "Spricka i linsen",
    },
    {
        "Company": COMPANY,
        "Asset Name": "hb-skrivare-02",
        "Asset Tag": "HB-0002",
        "Model": "LaserJet Pro 4002dn",
        "Model No.": "2Z605F",
        "Category": "Skrivare",
        "Manufacturer": "HP",
        "Serial": "PHBCR12345",
        "Purchased": date(2022, 11, 14),
        "Cost": Decimal("4290.00"),
        "EOL": date(2027, 11, 14),
        "Order Number": "4500123789",
        "Supplier": "Dustin Sverige AB",
        "Location": "Förråd IT",
        **_HB_ADDRESS,
        "Status": "Undeployable (undeployable)",
    },
    {
        "Company": COMPANY,
        "Asset Name": "hb-pub-09",
        "Asset Tag": "HB-0009",
        "Model": "ThinkCentre M70q",
        "Model No.": "11T3",
        "Category": "Publik dator",
        "Manufacturer": "Lenovo",
        "Serial": "PF3A9Z9Z",
        "Purchased": date(2021, 2, 10),
        "Cost": Decimal("7990.00"),
        "EOL": date(2025, 2, 10),
        "Warranty": 36,
        "Warranty Expires": date(2024, 2, 10),
        "Supplier": "Atea Sverige AB",
        "Location": "Plan 2 – vid vuxeninformationen",
        **_HB_ADDRESS,
        "Status": "Lost (archived)",
        "Notes": "Saknas sedan inventeringen 2025",
    },
    {
        "Company": COMPANY,
        "Asset Name": "no-pub-01",
        "Asset Tag": "NO-0001",
        "Model": "ThinkCentre M70q",
        "Model No.": "11T3",
        "Category": "Publik dator",
        "Manufacturer": "Lenovo",
        "Serial": "PF3B7K4M",
        "Purchased": date(2023, 5, 12),
        "Cost": Decimal("8495.50"),
        "EOL": date(2027, 5, 12),
        "Warranty": 36,
        "Warranty Expires": date(2026, 5, 12),
        "Order Number": "4500125310",
        "Supplier": "Atea Sverige AB",
        "Location": "Publika datorer",
        **_NO_ADDRESS,
        "Status": "Pending Diagnostics (pending)",
    },
    {
        "Company": COMPANY,
        "Asset Name": "no-pub-02",
        "Asset Tag": "NO-0002",
        "Model": "ThinkCentre M700",
        "Category": "Publik dator",
        "Manufacturer": "Lenovo",
        "Serial": "PC0AB123",
        "Purchased": date(2017, 8, 21),
        "Cost": Decimal("6250.00"),
        "EOL": date(2021, 8, 21),
        "Supplier": "Atea Sverige AB",
        "Location": "Publika datorer",
        **_NO_ADDRESS,
        "Status": "Archived (archived)",
        "Notes": "Kasserad, lämnad till återvinning",
    },
]


def snipeit_report_csv(rows=None) -> bytes:
    """The CSV of Snipe-IT's Custom Asset Report (Reports > Custom Asset Report).

    - UTF-8 with a byte order mark, commas, lines ended by LF alone, a line break after
      the last line.
    - Quoted as PHP's fputcsv quotes: a value with a comma, a quotation mark, a line
      break, a tab or a backslash, and also any value with a space ("Asset Tag",
      "Ready to Deploy (deployable)"); "HB-0001" and "Lenovo" stay bare.
    - The column names are the report's English labels, not the import's: "Asset Name",
      "Serial", "Purchased", "Cost", "Model No.", "EOL". Two columns are both named
      "Address" (address lines 1 and 2 of the location). "State" is the location's
      county, next to "City" and "Zip"; the asset's status is the column "Status". "Type"
      is what the asset is checked out to ("user", "location"), not its category.
    - Status is the label's name and its type in parentheses, always: "Ready to Deploy
      (deployable)", "Ready to Deploy (deployed)" when checked out, "Undeployable
      (undeployable)", "Out for Repair (undeployable)", "Lost (archived)", "Archived
      (archived)", "Pending Diagnostics (pending)". Pass other texts in `rows` to test a
      bare "Ready to Deploy".
    - "Purchased" is a date with midnight ("2023-05-12 00:00:00"); "EOL" and "Warranty
      Expires" are dates alone ("2027-05-12"); "Warranty" is months ("36").
    - "Cost" has a thousands comma and two decimals ("8,495.50", so it is quoted).
    - A value starting with = - + @, a tab or a carriage return gets a backtick in front,
      Snipe-IT's escape against formulas: the note "- Ny SSD 2024-09" is written
      "`- Ny SSD 2024-09".

    Row keys are SNIPEIT_REPORT_KEYS: the column names, with "Address 2" for the second
    "Address".
    """
    rows = SNIPEIT_REPORT_ROWS if rows is None else rows

    def text(key, value):
        if value is None:
            return ""
        if isinstance(value, date):
            if key == "Purchased":
                return f"{value:%Y-%m-%d} 00:00:00"
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value:,.2f}"
        value = str(value)
        return "`" + value if value.startswith(("=", "-", "+", "@", "\t", "\r")) else value

    lines = [_fputcsv_line(SNIPEIT_REPORT_COLUMNS)]
    for row in rows:
        values = _cells(row, SNIPEIT_REPORT_KEYS)
        lines.append(
            _fputcsv_line([text(k, v) for k, v in zip(SNIPEIT_REPORT_KEYS, values, strict=True)])
        )
    return ("\ufeff" + "".join(lines)).encode("utf-8")


def _fputcsv_line(cells: list[str]) -> str:
    """One line as PHP's fputcsv writes it with its defaults: a value is enclosed in
    quotation marks when it holds a comma, a quotation mark, a backslash, a line break, a
    tab or a space, with quotation marks doubled. (PHP's backslash escape, which stops a
    quotation mark after it from being doubled, is not imitated: no value here has one.)"""
    parts = []
    for cell in cells:
        if any(ch in cell for ch in ',"\\\n\r\t '):
            cell = '"' + cell.replace('"', '""') + '"'
        parts.append(cell)
    return ",".join(parts) + "\n"


# ---------------------------------------------------------------------------------------
# GLPI: a search result exported as CSV

GLPI_COLUMNS = [
    "Name",
    "Entity",
    "Status",
    "Manufacturer",
    "Serial number",
    "Type",
    "Model",
    "Location",
    "Last update",
    "Inventory number",
]
GLPI_ENTITY = "Root entity > Kultur och fritid > Biblioteken"

GLPI_ROWS = [
    {
        "Name": "hb-pub-01",
        "Entity": GLPI_ENTITY,
        "Status": "I drift",
        # as the inventory agent reports the maker
        "Manufacturer": "LENOVO",
        "Serial number": "PF3A1B2C",
        "Type": "Desktop",
        "Model": "ThinkCentre M70q",
        "Location": "Huvudbiblioteket > Plan 2 – vid vuxeninformationen",
        "Last update": datetime(2026, 3, 2, 14, 7),
        "Inventory number": "HB-0101",
    },
    {
        "Name": "hb-pers-07",
        "Entity": GLPI_ENTITY,
        "Status": "I lager",
        "Manufacturer": "HP",
        "Serial number": "5CG3341XYZ",
        "Type": "Laptop",
        "Model": "EliteBook 840 G10",
        "Location": "Huvudbiblioteket > Förråd IT",
        "Last update": datetime(2026, 2, 27, 9, 41),
        "Inventory number": "HB-0102",
    },
    {
        "Name": "hb-media-01",
        "Entity": GLPI_ENTITY,
        "Status": "På service",
        "Manufacturer": "Apple Inc.",
        "Serial number": "C02XK0ABJV3P",
        "Type": "All-in-one",
        # GLPI writes this quotation mark as two apostrophes: iMac 24'' (M3)
        "Model": 'iMac 24" (M3)',
        "Location": "Huvudbiblioteket > Plan 2 – vid vuxeninformationen",
        "Last update": datetime(2026, 1, 19, 16, 55),
        "Inventory number": "HB-0103",
    },
    {
        "Name": "no-pub-01",
        "Entity": GLPI_ENTITY,
        # no status set in GLPI
        "Status": "",
        "Manufacturer": "LENOVO",
        "Serial number": "PF3B7K4M",
        "Type": "Desktop",
        "Model": "ThinkCentre M70q",
        "Location": "Norrbiblioteket > Publika datorer",
        "Last update": datetime(2026, 3, 1, 18, 2),
        "Inventory number": "NO-0101",
    },
]


def glpi_computers_csv(rows=None) -> bytes:
    """GLPI 10's export of a search result as CSV: Assets > Computers, the list's
    columns, "Export" > "CSV".

    - UTF-8 with a byte order mark (GLPI writes one for Excel).
    - ";" as separator, every cell enclosed in quotation marks, the header included,
      and every line, the header too, ends with a ";" before its line break: one empty
      column more than there are headers, to a reader that splits on ";".
    - Lines end with LF alone; the last line has one too.
    - A quotation mark in a value is written as two apostrophes, not doubled:
      'iMac 24" (M3)' becomes "iMac 24'' (M3)". A line break in a value becomes "<br>".
    - Dates and times as "YYYY-MM-DD HH:MM" ("Last update": "2026-03-02 14:07").
    - "Location" and "Entity" are paths in GLPI's trees, parts joined by " > ":
      "Huvudbiblioteket > Plan 2 – vid vuxeninformationen".
    - "Status" is GLPI's own list (here in Swedish: "I drift", "I lager", "På service")
      and may be empty; "Type" is the computer's type ("Desktop", "Laptop"), not our
      category; "Name" is the computer's network name; "Inventory number" is the tag.
    - The maker as the inventory agent reports it: "LENOVO".
    """
    rows = GLPI_ROWS if rows is None else rows

    def cell(value):
        if value is None:
            value = ""
        elif isinstance(value, datetime):
            value = f"{value:%Y-%m-%d %H:%M}"
        elif isinstance(value, date):
            value = value.isoformat()
        value = str(value).replace("\r\n", "<br>").replace("\n", "<br>")
        return '"' + value.replace('"', "''") + '";'

    lines = ["".join(cell(name) for name in GLPI_COLUMNS)]
    lines.extend("".join(cell(value) for value in _cells(row, GLPI_COLUMNS)) for row in rows)
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------
# A spreadsheet kept by hand, with a title above the table

TITLED_HEADER = [
    "Inventarienummer",
    "Kategori",
    "Tillverkare",
    "Modell",
    "Serienummer",
    "Bibliotek",
    "Placering",
    "Status",
    "Inköpsdatum",
    "Inköpspris (kr)",
    "Garanti t.o.m.",
    "Anteckningar",
]
# Columns of TITLED_HEADER whose cells are dates, and amounts.
TITLED_DATES = ("Inköpsdatum", "Garanti t.o.m.")
TITLED_AMOUNTS = ("Inköpspris (kr)",)

TITLED_ROWS = [
    [
        "HB-0301",
        "Publik dator",
        "Lenovo",
        "ThinkCentre M70q",
        "PF5AAA01",
        "Huvudbiblioteket",
        "Plan 2 – vid vuxeninformationen",
        "I drift",
        datetime(2025, 1, 15),
        8495.5,
        datetime(2029, 1, 15),
        None,
    ],
    [
        "HB-0302",
        "VR-kit",
        "Meta",
        "Quest 3",
        "2G0YC1ZF8B04NN",
        "Huvudbiblioteket",
        "Plan 2 – vid vuxeninformationen",
        "I drift",
        datetime(2024, 3, 5),
        6990,
        None,
        "Bokas i informationsdisken",
    ],
    [
        "HB-0303",
        "Skrivare",
        "HP",
        "LaserJet Pro 4002dn",
        None,
        "Huvudbiblioteket",
        "Förråd IT",
        "I lager",
        datetime(2023, 11, 2),
        4290,
        datetime(2026, 11, 2),
        None,
    ],
    [
        "NO-0301",
        "Publik dator",
        "Lenovo",
        "ThinkCentre M70q",
        "PF5BBB02",
        "Norrbiblioteket",
        "Publika datorer",
        "På service",
        datetime(2022, 6, 20),
        7990,
        datetime(2025, 6, 20),
        "Fläkten låter",
    ],
]


def titled_xlsx(
    rows=None,
    *,
    title="Utrustning Huvudbiblioteket 2026",
    blank_rows=1,
    header=None,
    dates=TITLED_DATES,
    amounts=TITLED_AMOUNTS,
) -> bytes:
    """An Excel workbook kept by hand and laid out to be printed, as a library's staff
    keep their list of equipment.

    - Row 1: the title, bold and larger, in A1, merged across the table's width.
    - Then `blank_rows` empty rows (1 by default), then the header in bold with a line
      under it, then the rows; the header repeats on every printed page and stays in view.
    - Date columns (`dates`, by header) are real date cells: datetimes with the number
      format "yyyy-mm-dd", as Excel stores a date typed in a Swedish sheet.
    - Amount columns (`amounts`) are numbers with a number format showing "kr"
      ('#,##0.00 "kr"'): 8495.5, shown as "8 495,50 kr".
    - Empty cells are left out (None): a missing serial number, warranty or note.
    - The sheet is named "Utrustning", not "Sheet1".
    """
    header = TITLED_HEADER if header is None else header
    rows = TITLED_ROWS if rows is None else rows
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Utrustning"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for _ in range(blank_rows):
        sheet.append([])
    sheet.append(header)
    header_row = sheet.max_row
    line = Border(bottom=Side(style="thin"))
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.border = line
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    date_columns = {header.index(name) for name in dates if name in header}
    amount_columns = {header.index(name) for name in amounts if name in header}
    for row in rows:
        sheet.append(_cells(row, header))
        for index, cell in enumerate(sheet[sheet.max_row]):
            if cell.value is None:
                continue
            if index in date_columns:
                cell.number_format = "yyyy-mm-dd"
            elif index in amount_columns:
                cell.number_format = '#,##0.00 "kr"'
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(40, len(name) + 4))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# Swedish Excel's "CSV (semikolonavgränsad)"

CP1252_HEADER = [
    "Inventarienr",
    "Kategori",
    "Tillverkare",
    "Modell",
    "Serienummer",
    "Bibliotek",
    "Placering",
    "Status",
    "Inköpsdatum",
    "Inköpspris",
    "Anmärkning",
]

CP1252_ROWS = [
    {
        "Inventarienr": "HB-0201",
        "Kategori": "Publik dator",
        "Tillverkare": "Lenovo",
        "Modell": "ThinkCentre M70q",
        "Serienummer": "PF4AAA01",
        "Bibliotek": "Huvudbiblioteket",
        "Placering": "Plan 2 – vid vuxeninformationen",
        "Status": "I drift",
        "Inköpsdatum": date(2024, 3, 15),
        "Inköpspris": Decimal("8495.50"),
        # a ";" inside a value, so the cell is quoted
        "Anmärkning": "Låst till katalogsök; återställs varje natt",
    },
    {
        "Inventarienr": "HB-0202",
        "Kategori": "Skrivare",
        "Tillverkare": "HP",
        "Modell": "LaserJet Pro 4002dn",
        "Serienummer": "PHBCR67890",
        "Bibliotek": "Huvudbiblioteket",
        "Placering": "Förråd IT",
        "Status": "I lager",
        "Inköpsdatum": date(2023, 11, 2),
        "Inköpspris": Decimal("4290.00"),
    },
    {
        "Inventarienr": "NO-0201",
        "Kategori": "Publik dator",
        "Tillverkare": "Lenovo",
        "Modell": "ThinkCentre M70q",
        "Serienummer": "PF4BBB02",
        "Bibliotek": "Norrbiblioteket",
        "Placering": "Publika datorer",
        "Status": "På service",
        "Inköpsdatum": date(2022, 6, 20),
        "Inköpspris": Decimal("12990.00"),
        "Anmärkning": "Fläkten låter – skickad till Atea",
    },
]


def cp1252_csv(rows=None, *, header=None) -> bytes:
    """A sheet saved by Swedish Excel for Windows as "CSV (semikolonavgränsad)".

    - Windows-1252, no byte order mark: å ä ö as single bytes (0xE5 0xE4 0xF6), and
      also the en dash "–" (0x96) and the non-breaking space (0xA0), which ISO 8859-1
      reads as control characters; not valid UTF-8.
    - ";" as separator, lines ended by CRLF, the last line too; a value is quoted only
      when it holds a ";", a quotation mark or a line break.
    - Swedish column names (`header`, CP1252_HEADER by default).
    - What a cell shows is written: dates as the Swedish short date ("2024-03-15"),
      amounts with a decimal comma and a non-breaking space between thousands
      ("8 495,50"), no currency.
    """
    header = CP1252_HEADER if header is None else header
    rows = CP1252_ROWS if rows is None else rows

    def text(value):
        if value is None:
            return ""
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal | int | float):
            return f"{value:,.2f}".replace(",", "\xa0").replace(".", ",")
        return str(value)

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([text(value) for value in _cells(row, header)] for row in rows)
    return buffer.getvalue().encode("cp1252")


# ---------------------------------------------------------------------------------------


def _cells(row, header, *, ignore=()) -> list:
    """A row's values in the header's order: a dict by column name (missing ones empty),
    or a list in column order. Keys in `ignore` may be in a dict whatever the header."""
    if isinstance(row, dict):
        unknown = set(row) - set(header) - set(ignore)
        if unknown:
            raise KeyError(f"no such column: {sorted(unknown)}")
        return [row.get(name) for name in header]
    row = list(row)
    if len(row) != len(header):
        raise ValueError(f"{len(row)} values for {len(header)} columns")
    return row


def _minimal_csv_cells(cells: list[str]) -> list[str]:
    """Each cell as written with a comma, quoted only when needed."""
    return [_minimal_csv_line([cell]) if cell else "" for cell in cells]


def _minimal_csv_line(cells: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()


def _plain_number(value) -> str:
    """8495.50 -> "8495.5", 6990 -> "6990": a number as a plain decimal."""
    text = f"{Decimal(value):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
