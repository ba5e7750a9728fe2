"""The Swedish translation is whole: every text of the code and templates is in
locale/sv/LC_MESSAGES/django.po, translated and not fuzzy, and the compiled .mo holds
exactly what the .po says (`make messages` does both).

The .po is read by a small parser of its own (the format: GNU gettext's manual, "The
Format of PO Files"). Finding the texts the code uses takes `makemessages`, which needs
GNU gettext's xgettext: without it that one test is skipped with a message, except in CI
(CI=true), where it fails.
"""

import ast
import gettext
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages reads: the Makefile's `messages` leaves out .venv, bench, tests and
# staticfiles; these are the rest.
SOURCES = ("config", "inventory", "procurement", "reports", "demo", "templates")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def describe(self) -> str:
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {self.msgid!r}{context}"


def _string(text: str, path: Path, number: int) -> str:
    """A PO string literal, "…" with C escapes."""
    text = text.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"{path}:{number}: not a quoted string: {text}")
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """The entries of a PO file, the header (msgid "") included; obsolete ones (#~) left
    out."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int | None] | None = None
    started = False

    def finish():
        nonlocal entry, started, target
        if started:
            entries.append(entry)
        entry, started, target = Entry(), False, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if started and target is not None and target[0] == "msgstr":
                finish()  # a comment after a msgstr starts the next entry
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            if target is None:
                raise ValueError(f"{path}:{number}: a string outside an entry")
            value = _string(line, path, number)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index or 0] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and target is not None and target[0] == "msgstr":
            finish()
        if not started:
            entry.line = number
        started = True
        value = _string(rest, path, number)
        if keyword in ("msgctxt", "msgid", "msgid_plural"):
            setattr(entry, keyword, value)
            target = (keyword, None)
        elif keyword == "msgstr":
            entry.msgstr[0] = value
            target = ("msgstr", 0)
        elif keyword.startswith("msgstr[") and keyword.endswith("]"):
            index = int(keyword[len("msgstr[") : -1])
            entry.msgstr[index] = value
            target = ("msgstr", index)
        else:
            raise ValueError(f"{path}:{number}: unknown keyword {keyword!r}")
    finish()
    return entries


def untranslated(entries: list[Entry], *, lines: bool = True) -> list[str]:
    """Each entry (but the header) that is fuzzy or has an empty translation."""
    problems = []
    for entry in entries:
        if entry.msgid == "" and entry.msgctxt is None:
            continue
        if "fuzzy" in entry.flags:
            kind = "fuzzy"
        elif not entry.msgstr or any(not text for text in entry.msgstr.values()):
            kind = "not translated"
        else:
            continue
        problems.append(f"{kind}, {entry.describe() if lines else repr(entry.msgid)}")
    return problems


def _report(problems: list[str], what: str) -> str:
    return (
        f"{len(problems)} {what} in {PO.relative_to(ROOT)} (run `make messages`, translate, "
        "and run it again):\n" + "\n".join(problems)
    )


# --- the parser ----------------------------------------------------------------------


def test_the_parser_reads_every_kind_of_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: sv\\n"\n'
        "\n"
        "#, python-format\n"
        'msgid "%(n)s asset"\n'
        'msgid_plural "%(n)s assets"\n'
        'msgstr[0] "%(n)s tillgång"\n'
        'msgstr[1] ""\n'
        "\n"
        "#, fuzzy\n"
        'msgid "Case"\n'
        'msgstr "Ärende"\n'
        "\n"
        'msgctxt "month"\n'
        'msgid "May"\n'
        'msgstr "maj"\n'
        "\n"
        'msgid "A long "\n'
        '"text with a \\"quote\\""\n'
        'msgstr ""\n'
        "\n"
        '#~ msgid "Gone"\n'
        '#~ msgstr "Borta"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert [e.msgid for e in entries] == [
        "",
        "%(n)s asset",
        "Case",
        "May",
        'A long text with a "quote"',
    ]
    assert entries[0].msgstr == {0: "Language: sv\n"}
    assert entries[1].msgid_plural == "%(n)s assets"
    assert entries[3].key == "month\x04May"
    assert untranslated(entries) == [
        "not translated, line 6: '%(n)s asset'",
        "fuzzy, line 12: 'Case'",
        "not translated, line 19: 'A long text with a \"quote\"'",
    ]


# --- the translation -----------------------------------------------------------------


def test_every_text_in_the_po_file_is_translated_and_not_fuzzy():
    problems = untranslated(parse_po(PO))
    assert not problems, _report(problems, "texts lack a Swedish translation")


def test_the_mo_file_is_compiled_from_the_po_file():
    """The .mo holds each translated, not fuzzy entry of the .po, with the same text,
    and nothing else: a .po edited without `compilemessages` fails."""
    expected: dict = {}
    for entry in parse_po(PO):
        if entry.msgid == "" or "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue
        if entry.msgid_plural is None:
            expected[entry.key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.key, index)] = text
    with MO.open("rb") as compiled:
        catalog = dict(gettext.GNUTranslations(compiled)._catalog)  # type: ignore[attr-defined]
    catalog.pop("", None)
    missing = sorted(str(key) for key in expected.keys() - catalog.keys())
    extra = sorted(str(key) for key in catalog.keys() - expected.keys())
    different = sorted(
        str(key) for key in expected.keys() & catalog.keys() if expected[key] != catalog[key]
    )
    assert not (missing or extra or different), (
        f"{MO.relative_to(ROOT)} is not compiled from the .po: run `make messages`.\n"
        f"missing: {missing[:20]}\nnot in the .po: {extra[:20]}\ndifferent: {different[:20]}"
    )


def test_every_text_of_the_code_is_in_the_po_file(tmp_path):
    """makemessages, run on a copy of the sources (the repository's locale/ is never
    written), finds no text that the .po lacks or has not translated."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        message = "no GNU gettext (xgettext, msgmerge) to find the texts: apt-get install gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    copy = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    shutil.copytree(LOCALE, copy / "locale")
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="true", DEMO="true")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "sv", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh = parse_po(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po")
    # A text new to the .po comes out untranslated, or fuzzy when msgmerge guessed it
    # from a similar one.
    problems = untranslated(fresh, lines=False)
    assert not problems, _report(problems, "texts of the code lack a Swedish translation")
