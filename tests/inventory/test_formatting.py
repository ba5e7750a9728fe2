from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from inventory.formatting import format_date, format_sek, parse_decimal

NB = "\xa0"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("8495"), f"8{NB}495,00{NB}kr"),
        (Decimal("1234567.5"), f"1{NB}234{NB}567,50{NB}kr"),
        (Decimal("0"), f"0,00{NB}kr"),
        (Decimal("999.995"), f"1{NB}000,00{NB}kr"),
        (Decimal("100000"), f"100{NB}000,00{NB}kr"),
        (Decimal("-700000.01"), f"-700{NB}000,01{NB}kr"),
        (12, f"12,00{NB}kr"),
    ],
)
def test_sek_in_swedish(amount, text):
    assert format_sek(amount) == text


def test_sek_in_english_and_whole_kronor():
    with translation.override("en"):
        assert format_sek(Decimal("1234567.5")) == f"SEK{NB}1,234,567.50"
    assert format_sek(Decimal("1234567.5"), decimals=False) == f"1{NB}234{NB}568{NB}kr"
    assert format_sek(None) == ""


def test_dates_are_iso_in_both_languages():
    moment = datetime(2026, 11, 22, 13, 5, tzinfo=ZoneInfo("UTC"))
    for language in ("sv", "en"):
        with translation.override(language):
            assert format_date(date(2026, 11, 22)) == "2026-11-22"
            assert format_date(moment) == "2026-11-22 14:05"  # Stockholm, winter time


def test_template_filters_render_swedish_amounts_and_dates():
    rendered = Template("{{ p|sek }} {{ d|isodate }} {{ d|date }}").render(
        Context({"p": Decimal("8495.00"), "d": date(2026, 11, 22)})
    )
    assert rendered == f"8{NB}495,00{NB}kr 2026-11-22 2026-11-22"


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("8 495,50", "sv", Decimal("8495.50")),
        ("8\xa0495,50", "sv", Decimal("8495.50")),
        ("8\u202f495", "sv", Decimal("8495")),
        ("8495.50", "sv", Decimal("8495.50")),
        ("8,495.50", "en", Decimal("8495.50")),
        ("8.495,50", "sv", Decimal("8495.50")),
        ("8,495", "en", Decimal("8495")),
        ("8,495", "sv", Decimal("8.495")),
        ("\u22121,5", "sv", Decimal("-1.5")),
    ],
)
def test_parse_decimal(text, language, value):
    assert parse_decimal(text, language=language) == value


@pytest.mark.parametrize("text", ["", "abc", "1,2,3.4.5", "NaN", "Infinity", "12 kr"])
def test_parse_decimal_rejects(text):
    with pytest.raises(ValueError):
        parse_decimal(text, language="sv")
