"""Every page of the project, as each role sees it, is valid HTML by the Nu HTML Checker.

The pages are the URL patterns tests/test_url_access.py walks (its PATTERNS, its TABLE of
who may do what and its filling of URL kwargs from the demo data): each GET its table
gives a role as a page (200), for anonymous (the public pages: login, password reset,
the accessibility statement), the library manager (chef), IT, the strategist and the
administrator, and each POST it answers with a form's errors (200 or 400: the POST
sends no data). A report page is fetched for every report, a case page for a case in
each stage. Downloads (PDF, spreadsheets,
CSV, documents: whatever is not text/html) are left out; so is Django's admin, which the
walk does not enter. Every page is saved, then the checker runs once over them all (one
start of Java: it is slow to start). Without Java the test is skipped with a message,
except in CI (CI=true), where it fails: .ci/run installs Java.
"""

import pytest
from django.db import transaction
from django.db.models import Case, When
from django.test import Client

from procurement.models import ProcurementCase
from reports.catalogue import REPORTS
from tests.test_html import require_java, vnu_errors
from tests.test_url_access import (
    BAD,
    OK,
    PATTERNS,
    ROLES,
    TABLE,
    _build,
    _restore_files,
    url_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(demo_module, django_db_blocker):
    """The demo data and the objects test_url_access's URLs point at, made once."""
    with django_db_blocker.unblock():
        return _build(demo_module)


def variants(name: str, url: str, row) -> list[str]:
    """The URL, or for a page that differs much with what it shows, one of each kind:
    every report, and a case in each stage (the forms on a case page depend on it)."""
    if name == "reports:report":
        here = f"/{row.kwargs['name']}/"
        return [url.replace(here, f"/{report}/", 1) for report in sorted(REPORTS)]
    if name == "procurement:case_detail":
        cases = ProcurementCase.objects.order_by(
            # A case of the library manager's own library first, where there is one.
            Case(When(library__code="HB", then=0), default=1),
            "-year",
            "number",
        )
        by_stage = {}
        for case in cases:
            by_stage.setdefault(case.stage, case)
        return [url, *(case.get_absolute_url() for case in by_stage.values())]
    return [url]


def pages(world_, role: str):
    """(method, url name, url) of every GET the table gives the role as a page (200),
    and every POST it answers with a form's errors (200 or 400: the POST sends no data)."""
    for name, _route, kwarg_names in PATTERNS:
        row = TABLE.get(name)
        if row is None:
            continue  # a URL without a row fails in test_url_access
        url = url_for(world_, name, kwarg_names, role, "own", row)
        if row.get[role] == OK:
            for variant in dict.fromkeys(variants(name, url, row)):
                yield "get", name, variant
        if row.post[role] in (OK, BAD):
            yield "post", name, url


def test_every_page_is_valid_html_for_every_role(world, tmp_path):
    require_java()
    files: dict[str, str] = {}
    seen: set[tuple[str, str]] = set()
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.users[role])
        for method, name, url in pages(world, role):
            _restore_files(world)
            with transaction.atomic():
                response = getattr(client, method)(url)
                transaction.set_rollback(True)
            if response.status_code not in ((OK,) if method == "get" else (OK, BAD)):
                continue  # a report another role may not read; test_url_access has the rest
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # a download
            seen.add((method, name))
            file_name = f"{role}-{len(files):03d}.html"
            (tmp_path / file_name).write_bytes(response.content)
            what = f"{url} as {role} ({name})"
            files[file_name] = what if method == "get" else f"POST (no data) {what}"
    # The walk found the pages: each role's own, the public ones for anonymous.
    gets = {name for method, name in seen if method == "get"}
    assert {"login", "accessibility", "password_reset", "dashboard"} <= gets
    assert {"inventory:asset_detail", "procurement:case_detail", "reports:report"} <= gets
    assert {"inventory:asset_import_preview", "reports:budget_update"} <= gets
    assert ("post", "procurement:case_create") in seen
    assert any(page.endswith("as anonymous (login)") for page in files.values())
    problems = vnu_errors(tmp_path, files)
    assert not problems, f"{len(problems)} errors of the Nu HTML Checker:\n" + "\n".join(problems)
