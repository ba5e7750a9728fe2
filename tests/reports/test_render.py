"""The renderers, each checked by reading its bytes back.

The documents are built here by hand, not by the selectors, so each test says exactly
what goes in: the PDF's text and structure are read with pypdf, the workbook with
openpyxl, the CSV with the csv module and the chart's SVG with an XML parser.
"""

import csv
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from pypdf import PdfReader

from reports.document import Chart, Column, Document, Kind, Section, Table
from reports.render import render
from reports.render.charts import chart_svg

AS_OF = date(2026, 11, 27)
MADE_AT = datetime(2026, 11, 27, 8, 30, tzinfo=UTC)  # 09:30 in Stockholm
SWEDISH_LETTERS = "å ä ö Å Ä Ö"


def make_document(*sections, language="sv", title="Utrustning i biblioteken", **fields):
    fields.setdefault("organisation", "Exempelkommunen – Stadsbiblioteket")
    fields.setdefault("author", "Anna Andersson")
    return Document(
        key="test",
        title=title,
        as_of=AS_OF,
        made_at=MADE_AT,
        language=language,
        sections=tuple(sections),
        **fields,
    )


def plain(text: str) -> str:
    """Text with every run of whitespace (no-break spaces included) as one space.

    The renderers write amounts with no-break spaces (U+00A0); what pypdf gives back for
    them depends on the font's mapping, so both sides are compared in this form.
    """
    return " ".join(text.replace("\xa0", " ").split())


def pdf_reader(content: bytes) -> PdfReader:
    assert content.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(content))


def pdf_pages(content: bytes) -> list[str]:
    return [plain(page.extract_text()) for page in pdf_reader(content).pages]


def purchases_table(**fields) -> Table:
    fields.setdefault("caption", "Inköp under året")
    return Table(
        columns=(
            Column("Benämning"),
            Column("Belopp", Kind.MONEY),
            Column("Exakt belopp", Kind.MONEY_EXACT),
            Column("Levererad", Kind.DATE),
            Column("Antal", Kind.INT),
            Column("Andel", Kind.PERCENT),
        ),
        rows=[
            (
                "Skärmläsare åäö",
                Decimal("1234567.50"),
                Decimal("1234567.50"),
                date(2026, 3, 15),
                12345,
                Decimal("0.25"),
            ),
            ("Hörlurar", None, Decimal("99.95"), None, 0, None),
        ],
        **fields,
    )


def long_table(count: int, **fields) -> Table:
    return Table(
        columns=(
            Column("Inventarienummer"),
            Column("Placering"),
            Column("Inköpspris", Kind.MONEY),
        ),
        rows=[(f"RAD-{n:04d}", f"Hylla {n}", Decimal(1000 + n)) for n in range(1, count + 1)],
        caption="Alla datorer",
        **fields,
    )


# PDF


def test_pdf_text_has_title_sections_and_values_as_people_read_them():
    """Title, organisation, filters, section titles, facts and each kind of cell come
    back in the PDF's text, written as a Swedish reader expects them."""
    content = render(
        make_document(
            Section(
                key="summary",
                title="Sammanfattning",
                paragraphs=("Det här är en sammanfattning.",),
                facts=(("Antal datorer", "42"),),
            ),
            Section(key="purchases", title="Inköp", tables=(purchases_table(),)),
            filters=(("Bibliotek", "Stadsbiblioteket (HB)"),),
        ),
        "pdf",
    )
    text = " ".join(pdf_pages(content))

    for expected in (
        "Utrustning i biblioteken",
        "Exempelkommunen – Stadsbiblioteket",
        "Bibliotek: Stadsbiblioteket (HB)",
        "Per datum: 2026-11-27",
        "Skapad: 2026-11-27 09:30, Anna Andersson",
        "Sammanfattning",
        "Det här är en sammanfattning.",
        "Antal datorer",
        "Inköp",
        "Inköp under året",
        "Benämning",
        "Exakt belopp",
        "Skärmläsare åäö",
        "1 234 568 kr",  # MONEY: whole kronor, rounded half up
        "1 234 567,50 kr",  # MONEY_EXACT: with öre
        "99,95 kr",
        "2026-03-15",
        "12 345",
        "25 %",
        "Hörlurar",
    ):
        assert plain(expected) in text, expected
    # Each row's cells in column order; an empty value is a dash.
    assert "Skärmläsare åäö 1 234 568 kr 1 234 567,50 kr 2026-03-15 12 345 25 %" in text
    assert "Hörlurar – 99,95 kr – 0 –" in text
    # Whole kronor only in the MONEY column: the exact figure appears once, in its own.
    assert text.count("1 234 567,50 kr") == 1
    assert "1234567" not in text
    assert "Decimal" not in text and "None" not in text


def test_pdf_keeps_the_swedish_letters():
    """å, ä, ö, Å, Ä and Ö in the title, a paragraph, a fact and a cell come back as
    themselves (the embedded font has them)."""
    content = render(
        make_document(
            Section(
                key="letters",
                title=f"Rubrik {SWEDISH_LETTERS}",
                paragraphs=(f"Stycke {SWEDISH_LETTERS}",),
                facts=((f"Fakta {SWEDISH_LETTERS}", f"Värde {SWEDISH_LETTERS}"),),
                tables=(
                    Table(
                        columns=(Column(f"Kolumn {SWEDISH_LETTERS}"),),
                        rows=[(f"Cell {SWEDISH_LETTERS}",)],
                        caption=f"Tabell {SWEDISH_LETTERS}",
                    ),
                ),
            ),
            title=f"Rapport {SWEDISH_LETTERS}",
        ),
        "pdf",
    )
    text = " ".join(pdf_pages(content))
    for word in ("Rapport", "Rubrik", "Stycke", "Fakta", "Värde", "Kolumn", "Cell", "Tabell"):
        assert f"{word} {SWEDISH_LETTERS}" in text, word
    assert pdf_reader(content).metadata.title == f"Rapport {SWEDISH_LETTERS}"


def test_pdf_pages_have_the_header_and_say_sida_x_av_y():
    """Each page has the report's title and organisation at the top, and a footer that
    numbers it among all pages, in Swedish."""
    pages = pdf_pages(
        render(make_document(Section("list", "Lista", tables=(long_table(90),))), "pdf")
    )

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.startswith("Utrustning i biblioteken Exempelkommunen – Stadsbiblioteket")
        assert f"Sida {number} av {len(pages)}" in text
        assert "Page " not in text
    assert f"Sida {len(pages) + 1} av" not in " ".join(pages)


def test_pdf_footer_and_labels_are_english_in_an_english_document():
    """A document in English says "Page x of y" and uses the English labels, whatever
    the active language."""
    content = render(
        make_document(Section("list", "List", tables=(long_table(90),)), language="en"), "pdf"
    )
    pages = pdf_pages(content)

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Sida" not in text
    assert "As of: 2026-11-27" in pages[0]
    assert "SEK 1,001" in " ".join(pages)


def test_pdf_long_table_repeats_its_header_on_every_page_and_keeps_every_row_once():
    """A table over several pages has its header row on top of each page it is on, and
    its rows come in order, none lost and none twice."""
    count = 150
    pages = pdf_pages(
        render(make_document(Section("list", "Lista", tables=(long_table(count),))), "pdf")
    )

    pages_with_rows = [text for text in pages if re.search(r"RAD-\d{4}", text)]
    assert len(pages_with_rows) >= 3
    for text in pages_with_rows:
        for label in ("Inventarienummer", "Placering", "Inköpspris"):
            assert label in text
        # The header comes before the page's first row.
        assert text.index("Inventarienummer") < text.index("RAD-")
    found = re.findall(r"RAD-\d{4}", " ".join(pages))
    assert found == [f"RAD-{n:04d}" for n in range(1, count + 1)]
    # Each row keeps its cells together: the last one is whole, with its price.
    assert "RAD-0150 Hylla 150 1 150 kr" in " ".join(pages)


def _fonts(reader: PdfReader) -> list:
    fonts = []
    for page in reader.pages:
        resources = page["/Resources"]
        for font in resources.get("/Font", {}).values():
            fonts.append(font.get_object())
    assert fonts
    return fonts


def _descriptor(font):
    if "/FontDescriptor" in font:
        return font["/FontDescriptor"].get_object()
    if "/DescendantFonts" in font:
        return _descriptor(font["/DescendantFonts"][0].get_object())
    return None


def _chart_section() -> Section:
    return Section(
        "chart",
        "Diagram",
        chart=Chart(
            title="Utrustning per status",
            categories=("I bruk", "På lager"),
            series=(("Stadsbiblioteket", (3, 1)), ("Norrbiblioteket", (2, 4))),
        ),
        tables=(purchases_table(),),
    )


def test_pdf_font_is_embedded_truetype():
    """The text is set in the embedded TrueType font (Bitstream Vera as InventeraSans):
    a FontDescriptor with its FontFile2 on every page."""
    reader = pdf_reader(render(make_document(_chart_section()), "pdf"))

    for page in reader.pages:
        embedded = [
            font
            for font in (f.get_object() for f in page["/Resources"]["/Font"].values())
            if _descriptor(font) is not None and "/FontFile2" in _descriptor(font)
        ]
        assert embedded, "a page without the embedded font"
        assert all("BitstreamVera" in str(font["/BaseFont"]) for font in embedded)
    # Both the regular and the bold face are embedded.
    names = {str(font["/BaseFont"]) for font in _fonts(reader)}
    assert any(name.endswith("BitstreamVeraSans-Roman") for name in names)
    assert any(name.endswith("BitstreamVeraSans-Bold") for name in names)


def test_pdf_has_no_font_that_is_not_embedded():
    """No page refers to a standard font that is not embedded (Helvetica): every font in
    the pages' resources has its font program in the file."""
    reader = pdf_reader(render(make_document(_chart_section()), "pdf"))

    not_embedded = sorted(
        {
            str(font["/BaseFont"])
            for font in _fonts(reader)
            if _descriptor(font) is None
            or not {"/FontFile", "/FontFile2", "/FontFile3"} & set(_descriptor(font))
        }
    )
    assert not_embedded == []
    assert not any("Helvetica" in str(font["/BaseFont"]) for font in _fonts(reader))


@pytest.mark.parametrize(("language", "tag"), [("sv", "sv-SE"), ("en", "en-GB")])
def test_pdf_declares_language_title_and_author(language, tag):
    """The document catalog has the language tag; the info has the title and author."""
    reader = pdf_reader(
        render(make_document(Section("s", "Avsnitt"), language=language, title="Årsrapport"), "pdf")
    )

    assert reader.trailer["/Root"]["/Lang"] == tag
    assert reader.metadata.title == "Årsrapport"
    assert reader.metadata.author == "Anna Andersson"


def test_pdf_author_is_inventera_when_the_document_has_none():
    reader = pdf_reader(render(make_document(Section("s", "Avsnitt"), author=""), "pdf"))
    assert reader.metadata.author == "Inventera"


def test_pdf_says_when_a_table_has_more_rows_than_it_shows():
    """A table whose total exceeds its rows gets a note saying how many it shows; one
    that shows all its rows gets none."""
    cut = long_table(3, total=1250)
    whole = Table(columns=(Column("Namn"),), rows=[("Allt visas",)], caption="Hela listan", total=1)
    text = " ".join(
        pdf_pages(render(make_document(Section("s", "Lista", tables=(cut, whole))), "pdf"))
    )

    assert "De första 3 av 1 250 raderna. Rapportens XLSX- och CSV-filer har alla." in text
    assert text.count("De första") == 1
    assert "Allt visas" in text


def test_pdf_section_without_rows_says_its_empty_text():
    """A section whose tables have no rows says its `empty` text instead."""
    empty = Table(columns=(Column("Namn"),), rows=[], caption="Tom tabell")
    text = " ".join(
        pdf_pages(
            render(
                make_document(
                    Section("s", "Reparationer", tables=(empty,), empty="Inget är på reparation.")
                ),
                "pdf",
            )
        )
    )
    assert "Inget är på reparation." in text
    assert "Tom tabell" not in text


# XLSX


def load_workbook(content: bytes):
    assert content.startswith(b"PK")
    return openpyxl.load_workbook(io.BytesIO(content))


def one_column(caption="", sheet="", value="x") -> Table:
    return Table(columns=(Column("Kolumn"),), rows=[(value,)], caption=caption, sheet=sheet)


def test_xlsx_sheets_are_the_about_sheet_then_one_per_table_with_valid_unique_names():
    """The sheet "Om rapporten" comes first; then a sheet per table named by its `sheet`,
    else its caption, else its section's title; names are cut to 31 characters, lose
    []:*?/\\ and are made unique."""
    long_caption = "Garantier som löper ut inom nittio dagar"
    tables = (
        one_column(caption="Inköp under året", sheet="Inköp", value="a"),
        one_column(caption="Per bibliotek", value="b"),
        one_column(caption="Kostnad [kr]: hårdvara/mjukvara*?\\", value="c"),
        one_column(caption=long_caption, value="d"),
        one_column(caption=long_caption, value="e"),
        one_column(caption="per bibliotek", value="f"),
        one_column(caption="Om rapporten", value="g"),
    )
    workbook = load_workbook(
        render(
            make_document(
                Section("a", "Tabeller", tables=tables),
                Section("b", "Avsnittets rubrik", tables=(one_column(value="h"),)),
            ),
            "xlsx",
        )
    )
    names = workbook.sheetnames

    assert names[0] == "Om rapporten"
    assert len(names) == 1 + len(tables) + 1
    assert names[1] == "Inköp"
    assert names[2] == "Per bibliotek"
    assert names[-1] == "Avsnittets rubrik"
    for name in names:
        assert 1 <= len(name) <= 31, name
        assert not set("[]:*?/\\") & set(name), name
    assert len({name.lower() for name in names}) == len(names)
    # Each table is on its own sheet, in order, whatever its sheet came to be called.
    assert [workbook[name]["A2"].value for name in names[1:]] == list("abcdefgh")
    assert names[3].startswith("Kostnad")
    assert names[4] == long_caption[:31]


def test_xlsx_table_has_header_in_row_one_numbers_as_numbers_and_dates_as_dates():
    """Row 1 is the header; amounts (Decimal), counts and fractions are numbers, dates
    are dates, an empty value is an empty cell; the footer row follows the rows."""
    table = purchases_table(
        sheet="Inköp", footer=("Totalt", Decimal("1234567.50"), None, None, 12345, None)
    )
    workbook = load_workbook(render(make_document(Section("s", "Inköp", tables=(table,))), "xlsx"))
    sheet = workbook["Inköp"]
    rows = list(sheet.iter_rows())

    assert [cell.value for cell in rows[0]] == [
        "Benämning",
        "Belopp",
        "Exakt belopp",
        "Levererad",
        "Antal",
        "Andel",
    ]
    name, money, exact, delivered, count, share = rows[1]
    assert name.value == "Skärmläsare åäö"
    for cell in (money, exact, count, share):
        assert cell.data_type == "n", cell.coordinate
        assert not isinstance(cell.value, str)
    assert money.value == pytest.approx(1234567.5)
    assert exact.value == pytest.approx(1234567.5)
    assert count.value == 12345
    assert share.value == pytest.approx(0.25)
    assert share.number_format.endswith("%")
    assert delivered.is_date
    assert delivered.value.date() == date(2026, 3, 15)
    empty_row = [cell.value for cell in rows[2]]
    assert empty_row[0] == "Hörlurar"
    assert empty_row[1] is None and empty_row[3] is None and empty_row[5] is None
    assert empty_row[4] == 0
    assert [cell.value for cell in rows[3]][:2] == ["Totalt", pytest.approx(1234567.5)]
    assert len(rows) == 4


def test_xlsx_text_that_looks_like_a_formula_stays_text():
    """=1+2, @SUM(A1), +46… and -5… are written as text (with a quote prefix), never as
    formulas: the cell holds the text, and the sheet's XML has no formula."""
    texts = ["=1+2", "@SUM(A1)", "+46 8 123 45", "-5 st", '=HYPERLINK("http://x")']
    table = Table(columns=(Column("Anteckning"),), rows=[(t,) for t in texts], sheet="Text")
    content = render(make_document(Section("s", "Text", tables=(table,))), "xlsx")
    sheet = load_workbook(content)["Text"]

    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == texts
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert cell.quotePrefix, cell.value
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert "<f>" not in archive.read(name).decode("utf-8"), name


def test_xlsx_about_sheet_holds_title_as_of_date_filters_notes_and_facts():
    """The first sheet says what the report is: its title, organisation, as-of date (a
    date), the filters, who made it, the notes and each section's facts."""
    document = make_document(
        Section("summary", "Sammanfattning", facts=(("Antal datorer", "42"),)),
        filters=(("Bibliotek", "Stadsbiblioteket (HB)"), ("Period", "2025-11-27 – 2026-11-27")),
        notes=("Alla belopp i kronor exklusive moms.",),
    )
    sheet = load_workbook(render(document, "xlsx"))["Om rapporten"]
    rows = [tuple(cell.value for cell in row) for row in sheet.iter_rows()]
    pairs = {row[0]: row[1] for row in rows if len(row) > 1 and row[0] is not None}

    assert rows[0][0] == "Utrustning i biblioteken"
    assert pairs["Organisation"] == "Exempelkommunen – Stadsbiblioteket"
    assert pairs["Per datum"].date() == AS_OF
    assert sheet.cell(row=3, column=2).is_date
    assert pairs["Bibliotek"] == "Stadsbiblioteket (HB)"
    assert pairs["Period"] == "2025-11-27 – 2026-11-27"
    assert pairs["Skapad"] == "2026-11-27 09:30"
    assert pairs["Skapad av"] == "Anna Andersson"
    assert pairs["Antal datorer"] == "42"
    assert any(row[:1] == ("Sammanfattning",) for row in rows)
    assert any("Alla belopp i kronor exklusive moms." in row for row in rows)


def test_xlsx_in_english_has_english_about_sheet():
    document = make_document(
        Section("s", "Purchases", tables=(purchases_table(sheet="Purchases"),)), language="en"
    )
    workbook = load_workbook(render(document, "xlsx"))

    assert workbook.sheetnames == ["About the report", "Purchases"]
    labels = [row[0].value for row in workbook["About the report"].iter_rows()]
    assert "As of" in labels and "Made by" in labels


# CSV


def csv_lines(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "no byte order mark"
    text = content.decode("utf-8-sig")
    assert not text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_is_swedish_excel_dialect():
    """UTF-8 with BOM, semicolons, decimal comma, ISO dates, formulas escaped with a
    leading apostrophe, and Swedish letters kept."""
    table = Table(
        columns=(
            Column("Anteckning"),
            Column("Belopp", Kind.MONEY),
            Column("Datum", Kind.DATE),
            Column("Antal", Kind.INT),
        ),
        rows=[
            ("Skärmläsare; åäö", Decimal("1234.50"), date(2026, 3, 15), 3),
            ("=1+2", Decimal("0.05"), None, 0),
            ("@SUM(A1)", None, date(2026, 12, 31), None),
            ("+46 8 123", Decimal("-12.00"), None, 1),
        ],
        caption="Inköp",
    )
    content = render(make_document(Section("s", "Inköp", tables=(table,))), "csv")
    lines = csv_lines(content)
    header = lines.index(["Anteckning", "Belopp", "Datum", "Antal"])

    assert lines[header + 1] == ["Skärmläsare; åäö", "1234,50", "2026-03-15", "3"]
    assert lines[header + 2] == ["'=1+2", "0,05", "", "0"]
    assert lines[header + 3] == ["'@SUM(A1)", "", "2026-12-31", ""]
    assert lines[header + 4][0] == "'+46 8 123"
    assert b";" in content and b"\t" not in content
    assert b"1234.50" not in content


def test_csv_starts_with_what_the_report_is_and_each_table_follows_under_its_caption():
    """The first lines say the title, organisation, as-of date, filters and when it was
    made; then each table: its caption (else its section's title), its header, its rows
    and footer, the tables kept apart by one empty line."""
    first = Table(
        columns=(Column("Bibliotek"), Column("Antal", Kind.INT)),
        rows=[("HB", 3), ("NO", 2)],
        caption="Per bibliotek",
        footer=("Totalt", 5),
    )
    second = Table(columns=(Column("Kategori"),), rows=[("Publik dator",)])
    document = make_document(
        Section("a", "Utrustning", tables=(first,)),
        Section("b", "Kategorier", tables=(second,)),
        filters=(("Bibliotek", "Alla du har tillgång till: HB, NO"),),
        notes=("Alla belopp exklusive moms.",),
    )
    lines = csv_lines(render(document, "csv"))

    assert lines[:6] == [
        ["Utrustning i biblioteken"],
        ["Organisation", "Exempelkommunen – Stadsbiblioteket"],
        ["Per datum", "2026-11-27"],
        ["Bibliotek", "Alla du har tillgång till: HB, NO"],
        ["Skapad", "2026-11-27 09:30"],
        ["Alla belopp exklusive moms."],
    ]
    assert lines[6:] == [
        [],
        ["Per bibliotek"],
        ["Bibliotek", "Antal"],
        ["HB", "3"],
        ["NO", "2"],
        ["Totalt", "5"],
        [],
        ["Kategorier"],
        ["Kategori"],
        ["Publik dator"],
    ]


# SVG


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode("utf-8"))  # noqa: S314 (our own renderer's output)
    assert root.tag.endswith("svg")
    return [
        element.text.strip() for element in root.iter() if element.text and element.text.strip()
    ]


@pytest.mark.parametrize(
    ("horizontal", "stacked"), [(False, False), (True, False), (False, True), (True, True)]
)
def test_chart_svg_is_well_formed_and_names_its_categories_and_series(horizontal, stacked):
    chart = Chart(
        title="Utrustning & status <per bibliotek>",
        categories=("I bruk", "På lager", "Åter i tjänst"),
        series=(("Stadsbiblioteket", (3, 1, 2)), ("Norrbiblioteket", (1, 0, 5))),
        horizontal=horizontal,
        stacked=stacked,
    )
    texts = svg_texts(chart_svg(chart))

    for text in (
        "Utrustning & status <per bibliotek>",
        "I bruk",
        "På lager",
        "Åter i tjänst",
        "Stadsbiblioteket",
        "Norrbiblioteket",
    ):
        assert text in texts, text


def test_chart_svg_of_money_has_axis_labels_in_kronor():
    chart = Chart(
        title="Kostnad",
        categories=("2026", "2027"),
        series=(("Ersättning", (250000.0, 1500000.0)),),
        kind=Kind.MONEY,
    )
    texts = svg_texts(chart_svg(chart))
    assert "Kostnad" in texts and "2026" in texts and "2027" in texts
    # Millions of kronor on the value axis, with a decimal comma.
    assert "1,5 mn" in texts


@pytest.mark.parametrize(
    "chart",
    [
        Chart(title="Inga kategorier", categories=(), series=()),
        Chart(title="Inga värden", categories=("I bruk",), series=(("Antal", ()),)),
        Chart(title="Bara nollor", categories=("I bruk", "Kasserad"), series=(("Antal", (0, 0)),)),
        Chart(title="Tom liggande", categories=(), series=(), horizontal=True, stacked=True),
    ],
    ids=["no categories", "no values", "zeros", "empty horizontal stacked"],
)
def test_chart_svg_of_an_empty_chart_is_still_a_drawing(chart):
    """A chart with nothing to show still gives a well-formed SVG with its title."""
    assert chart.title in svg_texts(chart_svg(chart))
