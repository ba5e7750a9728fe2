"""Every procurement URL for anonymous and each role: who gets the page, who 403 or 404.

A library manager gets 404 for another library's case on every case URL (document
download included), so existence is not leaked; a role without the permission gets 403
on a case it may see. Writes are checked by POSTing, and a refused write changes nothing.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from inventory.models import Asset
from procurement import services
from procurement.choices import Stage
from procurement.models import (
    Approval,
    CaseDocument,
    Comment,
    ProcurementCase,
    Quote,
    StageChange,
)
from tests.procurement.test_views import advance, create_data, pdf

pytestmark = pytest.mark.django_db

OK, FOUND, BAD, FORBIDDEN, NOT_FOUND = 200, 302, 400, 403, 404
ROLES = ("chef", "it", "strateg", "admin")


@pytest.fixture(autouse=True)
def _private_uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def world(users, make_case, hb, no, hb_floor2, suppliers, workstation):
    """An HB case and an NO case, both waiting for approval, each with a quote and a
    document; the URLs below name them by their references."""
    chef, admin = users["chef"], users["admin"]
    cases = {}
    for key, actor, library in (("HB", chef, hb), ("NO", admin, no)):
        case = make_case(actor, library, analysis="Behovet är utrett.")
        case = advance(case, actor, Stage.ANALYSIS, Stage.APPROVAL)
        quote = services.quote_add(
            case=case,
            actor=users["it"],
            supplier=suppliers[0],
            amount=Decimal("1000"),
            received_on=timezone.localdate(),
        )
        document = services.document_add(case=case, actor=actor, kind="quote", upload=pdf())
        cases[key] = {"case": case, "quote": quote.pk, "document": document.pk}
    return {"users": users, "cases": cases}


def expand(path: str, world) -> str:
    for key, item in world["cases"].items():
        path = (
            path.replace(f"{{{key}}}", item["case"].url_reference)
            .replace(f"{{{key}.quote}}", str(item["quote"]))
            .replace(f"{{{key}.document}}", str(item["document"]))
        )
    return path


def everyone(status):
    return dict.fromkeys(ROLES, status)


# (name, url, expected GET status per role)
PAGES = [
    ("case list", "/procurement/cases/", everyone(OK)),
    (
        "create",
        "/procurement/cases/add/",
        {"chef": OK, "it": FORBIDDEN, "strateg": FORBIDDEN, "admin": OK},
    ),
    ("own case", "/procurement/cases/{HB}/", everyone(OK)),
    (
        "other library's case",
        "/procurement/cases/{NO}/",
        {"chef": NOT_FOUND, "it": OK, "strateg": OK, "admin": OK},
    ),
    ("unknown case", "/procurement/cases/HB-2026-9999/", everyone(NOT_FOUND)),
    ("malformed reference", "/procurement/cases/HB-26-1/", everyone(NOT_FOUND)),
    (
        "edit",
        "/procurement/cases/{HB}/edit/",
        {"chef": OK, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    (
        "edit other library's case",
        "/procurement/cases/{NO}/edit/",
        {"chef": NOT_FOUND, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    (
        "add quote",
        "/procurement/cases/{HB}/quotes/add/",
        {"chef": FORBIDDEN, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    (
        "add quote, other library",
        "/procurement/cases/{NO}/quotes/add/",
        {"chef": NOT_FOUND, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    ("upload document", "/procurement/cases/{HB}/documents/add/", everyone(OK)),
    (
        "upload document, other library",
        "/procurement/cases/{NO}/documents/add/",
        {"chef": NOT_FOUND, "it": OK, "strateg": OK, "admin": OK},
    ),
    ("download document", "/procurement/cases/{HB}/documents/{HB.document}/", everyone(OK)),
    (
        "download other library's document",
        "/procurement/cases/{NO}/documents/{NO.document}/",
        {"chef": NOT_FOUND, "it": OK, "strateg": OK, "admin": OK},
    ),
    (
        "other library's document through own case",
        "/procurement/cases/{HB}/documents/{NO.document}/",
        everyone(NOT_FOUND),
    ),
    (
        "delivery",
        "/procurement/cases/{HB}/delivery/",
        {"chef": FORBIDDEN, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    (
        "delivery, other library",
        "/procurement/cases/{NO}/delivery/",
        {"chef": NOT_FOUND, "it": OK, "strateg": FORBIDDEN, "admin": OK},
    ),
    # The POST-only URLs answer a GET with 405, but only to those who may see the case.
    ("move (GET)", "/procurement/cases/{HB}/move/", everyone(405)),
    (
        "move other library's case (GET)",
        "/procurement/cases/{NO}/move/",
        {"chef": NOT_FOUND, "it": 405, "strateg": 405, "admin": 405},
    ),
]


@pytest.mark.parametrize(("name", "path", "expected"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("role", ROLES)
def test_get_by_role(world, client_for, name, path, expected, role):
    response = client_for(world["users"][role]).get(expand(path, world))
    assert response.status_code == expected[role], f"{role} {name}"


def snapshot():
    """Everything a write could change."""
    return {
        "cases": list(
            ProcurementCase.objects.order_by("pk").values_list("pk", "stage", "version", "title")
        ),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "chosen")),
        "documents": CaseDocument.objects.count(),
        "comments": Comment.objects.count(),
        "approvals": Approval.objects.count(),
        "timeline": StageChange.objects.count(),
        "assets": Asset.objects.count(),
    }


def write_data(name, world):
    """The form data of each write, valid for the case it is sent to."""
    hb = world["cases"]["HB"]["case"]
    if name == "create":
        return create_data(hb.library, hb.category)
    if name.startswith("edit"):
        return {
            "title": "Ändrad",
            "need": "x",
            "analysis": "x",
            "category": hb.category_id,
            "estimated_value": "50000",
            "funding": "operating",
            "award_notice_electronic": "on",
            "version": 3,
        }
    if name.startswith("move"):
        return {"move-to_stage": "on_hold", "move-comment": "Paus", "move-version": 3}
    if name.startswith("decide"):
        return {"decide-decision": "approved", "decide-level": "0"}
    if name.startswith("comment"):
        return {"comment-text": "Hej"}
    if name.startswith("add quote"):
        return {
            "supplier": world["cases"]["HB"]["case"].quotes.get().supplier_id,
            "amount": "100",
            "received_on": "2026-03-01",
        }
    if name.startswith("upload"):
        return {"kind": "quote", "file": pdf()}
    if name.startswith("delivery"):
        location = hb.library.locations.first()
        return {"location": location.pk if location else "", "delivered_on": "2026-11-20"}
    return {}


# (name, url, expected POST status per role); 302 is a write that was made.
WRITES = [
    (
        "create",
        "/procurement/cases/add/",
        {"chef": FOUND, "it": FORBIDDEN, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "edit",
        "/procurement/cases/{HB}/edit/",
        {"chef": FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "edit other library's case",
        "/procurement/cases/{NO}/edit/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "move (pause)",
        "/procurement/cases/{HB}/move/",
        {"chef": FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "move other library's case",
        "/procurement/cases/{NO}/move/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "decide",
        "/procurement/cases/{HB}/decide/",
        {"chef": FORBIDDEN, "it": FORBIDDEN, "strateg": FOUND, "admin": FOUND},
    ),
    (
        "decide other library's case",
        "/procurement/cases/{NO}/decide/",
        {"chef": NOT_FOUND, "it": FORBIDDEN, "strateg": FOUND, "admin": FOUND},
    ),
    ("comment", "/procurement/cases/{HB}/comments/add/", everyone(FOUND)),
    (
        "comment other library's case",
        "/procurement/cases/{NO}/comments/add/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FOUND, "admin": FOUND},
    ),
    (
        "add quote",
        "/procurement/cases/{HB}/quotes/add/",
        {"chef": FORBIDDEN, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "add quote, other library",
        "/procurement/cases/{NO}/quotes/add/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "choose quote",
        "/procurement/cases/{HB}/quotes/{HB.quote}/choose/",
        {"chef": FORBIDDEN, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    (
        "choose quote, other library",
        "/procurement/cases/{NO}/quotes/{NO.quote}/choose/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FORBIDDEN, "admin": FOUND},
    ),
    ("upload document", "/procurement/cases/{HB}/documents/add/", everyone(FOUND)),
    (
        "upload document, other library",
        "/procurement/cases/{NO}/documents/add/",
        {"chef": NOT_FOUND, "it": FOUND, "strateg": FOUND, "admin": FOUND},
    ),
    # The case is not delivered yet: IT's form is refused with the reason, not a 500.
    (
        "delivery",
        "/procurement/cases/{HB}/delivery/",
        {"chef": FORBIDDEN, "it": BAD, "strateg": FORBIDDEN, "admin": BAD},
    ),
    (
        "delivery, other library",
        "/procurement/cases/{NO}/delivery/",
        {"chef": NOT_FOUND, "it": BAD, "strateg": FORBIDDEN, "admin": BAD},
    ),
]


@pytest.mark.parametrize(("name", "path", "expected"), WRITES, ids=[w[0] for w in WRITES])
@pytest.mark.parametrize("role", ROLES)
def test_post_by_role(world, client_for, name, path, expected, role):
    before = snapshot()
    response = client_for(world["users"][role]).post(expand(path, world), write_data(name, world))
    assert response.status_code == expected[role], f"{role} {name}"
    if expected[role] == FOUND:
        assert snapshot() != before, f"{role} {name}: nothing was written"
    else:
        assert snapshot() == before, f"{role} {name}: a refused write changed something"


ALL_URLS = [p[1] for p in PAGES] + [w[1] for w in WRITES]


@pytest.mark.parametrize("path", sorted(set(ALL_URLS)))
def test_anonymous_goes_to_login(world, client, path):
    before = snapshot()
    for response in (client.get(expand(path, world)), client.post(expand(path, world), {})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert snapshot() == before


def test_user_without_a_role_sees_no_case(world, client_for):
    from tests.factories import UserFactory

    client = client_for(UserFactory(username="ingen"))
    assert client.get("/procurement/cases/").status_code == 403
    hb = world["cases"]["HB"]["case"]
    assert client.get(hb.get_absolute_url()).status_code == 404
    assert client.post(f"{hb.get_absolute_url()}comments/add/", {}).status_code == 404


class TestWhatEachRoleSees:
    def test_chef_lists_own_library_only(self, world, client_for):
        response = client_for(world["users"]["chef"]).get("/procurement/cases/")
        cases = [row["case"] for row in response.context["rows"]]
        assert cases == [world["cases"]["HB"]["case"]]
        assert world["cases"]["NO"]["case"].reference not in response.content.decode()
        assert "Norrbiblioteket" not in response.content.decode()

    @pytest.mark.parametrize("role", ["it", "strateg", "admin"])
    def test_others_list_every_library(self, world, client_for, role):
        response = client_for(world["users"][role]).get("/procurement/cases/")
        assert {row["case"].library.code for row in response.context["rows"]} == {"HB", "NO"}

    def test_actions_on_the_case_page(self, world, client_for):
        hb = world["cases"]["HB"]["case"]
        pages = {
            role: client_for(user).get(hb.get_absolute_url())
            for role, user in world["users"].items()
        }
        edit = f"{hb.get_absolute_url()}edit/"
        quote = f"{hb.get_absolute_url()}quotes/add/"
        decide = f"{hb.get_absolute_url()}decide/"
        html = {role: page.content.decode() for role, page in pages.items()}
        assert edit in html["chef"] and edit in html["it"] and edit not in html["strateg"]
        assert quote in html["it"] and quote not in html["chef"] and quote not in html["strateg"]
        assert decide in html["strateg"] and decide in html["admin"]
        assert decide not in html["chef"] and decide not in html["it"]
        assert "move-override_reason" in html["admin"]
        for role in ("chef", "it", "strateg"):
            assert "move-override_reason" not in html[role]
