"""Every URL pattern of the project, walked from the URL resolver, for anonymous and each
role, by GET and by POST, against the table below of what each role may do.

A URL without a row in the table fails (a new page must say who may use it). Object URLs
are filled from the demo data (`seed_demo`): each URL kwarg names an object of the
library manager's own library (HB) or of another library (NO or SO). A library manager
gets 404 for every object URL of another library, whatever the page and whatever the
permissions, so that the existence of another library's equipment, cases and budgets is
not leaked; the roles that see every library get the same answer for both.

The POSTs send no data: they show that a role without the right is stopped before any
form is read, and that a role with it gets a form's answer (a 200 or 400 page with its
errors, or a redirect), never a 500. Each request is rolled back afterwards.

Not walked: Django's admin (`admin/`). Its hundreds of generated URLs are guarded by
Django's own staff and model-permission checks; only the administrator is staff, and
tests/test_access.py checks that every other role is sent away from it. Static files are
served by WhiteNoise's middleware, not by URL patterns, so there are none to walk.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from inventory import loans, stocktakes
from inventory.models import Asset, AssetImport, Category, FaultReport, TrialSession
from procurement import services as procurement_services
from procurement.models import ProcurementCase, TrialEvidence
from reports.models import Budget, ReportSubscription

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "chef", "it", "strateg", "admin")
LOGIN = "login"  # a redirect to the login page
REDIRECT = "redirect"  # any other redirect: done, or on to the page to go to
OK, BAD, DENIED, HIDDEN, NO_METHOD = 200, 400, 403, 404, 405

# URL prefixes not walked; the module's doc says why.
SKIPPED = ("admin/", "static/", "media/")


def R(anonymous, chef, it, strateg, admin) -> dict:
    """What each role gets, in the order of ROLES."""
    return dict(zip(ROLES, (anonymous, chef, it, strateg, admin), strict=True))


@dataclass(frozen=True)
class Row:
    """What each role gets from a URL by GET and by POST, for objects of the library
    manager's own library (or, for a user's own things, their own)."""

    get: dict
    post: dict
    # For objects of another library or another user: None derives it (another
    # library's object is a 404 for the library manager, the same as the own for the
    # rest); a dict says it outright.
    other_get: dict | None = None
    other_post: dict | None = None
    # URL kwargs other than the walked objects' (a report's name).
    kwargs: dict = field(default_factory=dict)


# What every role gets: a page (200), a form's errors (200 or 400: the POSTs send no
# data), a redirect, 403, 404, or 405 for a method the URL does not take.
# Columns: anonymous, chef (library manager of HB), it, strateg, admin.
ALL_GET = R(LOGIN, OK, OK, OK, OK)
GET_ONLY = R(LOGIN, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
POST_ONLY = GET_ONLY
IT_GET = R(LOGIN, DENIED, OK, DENIED, OK)
IT_POST_ONLY = R(LOGIN, DENIED, NO_METHOD, DENIED, NO_METHOD)
IT_DONE = R(LOGIN, DENIED, REDIRECT, DENIED, REDIRECT)
# An import is the uploader's own: another user's is a 404 to those who may import.
OTHERS_IMPORT = R(LOGIN, DENIED, HIDDEN, DENIED, HIDDEN)

TABLE: dict[str, Row] = {
    # Public: the health check for the load balancer, the login and the language switch.
    "healthz": Row(
        get=R(OK, OK, OK, OK, OK), post=R(NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD)
    ),
    "login": Row(get=R(OK, OK, OK, OK, OK), post=R(OK, OK, OK, OK, OK)),
    "set_language": Row(
        get=R(NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD, NO_METHOD),
        post=R(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "logout": Row(get=GET_ONLY, post=R(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    # Public too: the icon browsers ask for, the accessibility statement the law asks
    # for, and the password reset for whoever cannot log in.
    "favicon": Row(get=R(*[REDIRECT] * 5), post=R(*[REDIRECT] * 5)),
    "accessibility": Row(get=R(*[OK] * 5), post=R(*[NO_METHOD] * 5)),
    "password_reset": Row(get=R(*[OK] * 5), post=R(*[OK] * 5)),
    "password_reset_done": Row(get=R(*[OK] * 5), post=R(*[NO_METHOD] * 5)),
    # A link that is not valid: the page saying so, whatever the method.
    "password_reset_confirm": Row(
        get=R(*[OK] * 5), post=R(*[OK] * 5), kwargs={"uidb64": "MQ", "token": "not-valid"}
    ),
    "password_reset_complete": Row(get=R(*[OK] * 5), post=R(*[NO_METHOD] * 5)),
    "password_change": Row(get=ALL_GET, post=R(LOGIN, OK, OK, OK, OK)),
    "password_change_done": Row(get=ALL_GET, post=GET_ONLY),
    "dashboard": Row(get=ALL_GET, post=GET_ONLY),
    # The register: everyone reads (a library manager their own library); IT and the
    # administrator write.
    "inventory:index": Row(
        get=R(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        post=R(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    ),
    "inventory:asset_list": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:asset_export": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:asset_detail": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:asset_create": Row(get=IT_GET, post=IT_GET),
    "inventory:asset_update": Row(get=IT_GET, post=IT_GET),
    "inventory:asset_status": Row(get=IT_GET, post=IT_GET),
    "inventory:maintenance_create": Row(get=IT_GET, post=IT_GET),
    # Fault reports: whoever sees the asset reports one and follows it; IT handles it.
    "inventory:fault_create": Row(get=ALL_GET, post=R(LOGIN, BAD, BAD, BAD, BAD)),
    "inventory:fault_detail": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:fault_photo": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:fault_acknowledge": Row(get=IT_POST_ONLY, post=IT_DONE),
    "inventory:fault_repair": Row(get=IT_POST_ONLY, post=IT_DONE),
    "inventory:fault_close": Row(get=IT_GET, post=R(LOGIN, DENIED, BAD, DENIED, BAD)),
    # The trial log of equipment on trial: everyone reads it; the library manager (own
    # libraries), IT and the administrator log a session (POST), the strategist does not.
    "inventory:trial_log": Row(get=ALL_GET, post=R(LOGIN, BAD, BAD, DENIED, BAD)),
    "inventory:asset_bulk": Row(get=IT_POST_ONLY, post=IT_DONE),
    # Loans of lendable equipment: everyone reads them; the library manager (own
    # libraries), IT and the administrator book, lend out, take back and cancel.
    "inventory:loan_list": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:asset_loans": Row(get=ALL_GET, post=R(LOGIN, BAD, BAD, DENIED, BAD)),
    "inventory:loan_lend": Row(
        get=R(LOGIN, NO_METHOD, NO_METHOD, DENIED, NO_METHOD),
        post=R(LOGIN, REDIRECT, REDIRECT, DENIED, REDIRECT),
    ),
    "inventory:loan_return": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "inventory:loan_cancel": Row(
        get=R(LOGIN, NO_METHOD, NO_METHOD, DENIED, NO_METHOD),
        post=R(LOGIN, REDIRECT, REDIRECT, DENIED, REDIRECT),
    ),
    # Stocktaking: the library manager (own libraries), IT and the administrator count;
    # the strategist reads. The POSTs send no data: a form's errors (no decision made on
    # the close page), or, for "Seen here" on the asset page, the asset is seen.
    "inventory:stocktake_list": Row(get=ALL_GET, post=GET_ONLY),
    "inventory:stocktake_start": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "inventory:stocktake_detail": Row(get=ALL_GET, post=R(LOGIN, BAD, BAD, DENIED, BAD)),
    "inventory:stocktake_found": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "inventory:stocktake_close": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "inventory:asset_seen": Row(
        get=R(LOGIN, NO_METHOD, NO_METHOD, DENIED, NO_METHOD),
        post=R(LOGIN, REDIRECT, REDIRECT, DENIED, REDIRECT),
    ),
    # Labels of what each role sees: the form by GET; a POST is a selection from the
    # list (with nothing selected, the form's error).
    "inventory:asset_labels": Row(get=ALL_GET, post=R(LOGIN, OK, OK, OK, OK)),
    "inventory:asset_import": Row(get=IT_GET, post=IT_GET),
    "inventory:asset_import_preview": Row(
        get=IT_GET, post=IT_DONE, other_get=OTHERS_IMPORT, other_post=OTHERS_IMPORT
    ),
    "inventory:asset_import_rejected": Row(
        get=IT_DONE, post=IT_POST_ONLY, other_get=OTHERS_IMPORT, other_post=IT_POST_ONLY
    ),
    "inventory:asset_import_confirm": Row(
        get=IT_POST_ONLY, post=IT_DONE, other_get=IT_POST_ONLY, other_post=OTHERS_IMPORT
    ),
    "inventory:asset_import_cancel": Row(
        get=IT_POST_ONLY, post=IT_DONE, other_get=IT_POST_ONLY, other_post=OTHERS_IMPORT
    ),
    # Procurement: the library manager opens and edits their library's cases; IT runs
    # the technical stages; the strategist decides; everyone comments and adds documents.
    "procurement:case_list": Row(get=ALL_GET, post=GET_ONLY),
    "procurement:case_detail": Row(get=ALL_GET, post=GET_ONLY),
    "procurement:case_create": Row(
        get=R(LOGIN, OK, DENIED, DENIED, OK), post=R(LOGIN, BAD, DENIED, DENIED, BAD)
    ),
    "procurement:case_update": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    # Who may make which move is the service's to say, per move.
    "procurement:case_move": Row(get=POST_ONLY, post=R(LOGIN, BAD, BAD, BAD, BAD)),
    "procurement:case_decide": Row(
        get=R(LOGIN, DENIED, DENIED, NO_METHOD, NO_METHOD),
        post=R(LOGIN, DENIED, DENIED, BAD, BAD),
    ),
    # The lines: whoever may change the case's need (library manager, IT, administrator).
    "procurement:line_create": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "procurement:line_update": Row(
        get=R(LOGIN, OK, OK, DENIED, OK), post=R(LOGIN, BAD, BAD, DENIED, BAD)
    ),
    "procurement:line_remove": Row(
        get=R(LOGIN, NO_METHOD, NO_METHOD, DENIED, NO_METHOD),
        post=R(LOGIN, REDIRECT, REDIRECT, DENIED, REDIRECT),
    ),
    "procurement:quote_create": Row(get=IT_GET, post=R(LOGIN, DENIED, BAD, DENIED, BAD)),
    "procurement:quote_choose": Row(get=IT_POST_ONLY, post=IT_DONE),
    "procurement:document_create": Row(get=ALL_GET, post=R(LOGIN, BAD, BAD, BAD, BAD)),
    "procurement:document_download": Row(get=ALL_GET, post=GET_ONLY),
    "procurement:comment_create": Row(get=POST_ONLY, post=R(LOGIN, BAD, BAD, BAD, BAD)),
    # A trial with patrons as evidence of the need: everyone attaches and removes one.
    "procurement:case_trial_attach": Row(get=POST_ONLY, post=R(LOGIN, BAD, BAD, BAD, BAD)),
    "procurement:case_trial_detach": Row(
        get=POST_ONLY, post=R(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
    ),
    "procurement:case_delivery": Row(get=IT_GET, post=R(LOGIN, DENIED, BAD, DENIED, BAD)),
    # Reports: IT does not get the strategist's report; budgets are the strategist's.
    "reports:catalogue": Row(get=ALL_GET, post=GET_ONLY),
    "reports:report": Row(
        get=R(LOGIN, OK, DENIED, OK, OK),
        post=R(LOGIN, NO_METHOD, DENIED, NO_METHOD, NO_METHOD),
        kwargs={"name": "strategist"},
    ),
    "reports:download": Row(
        get=R(LOGIN, OK, DENIED, OK, OK),
        post=R(LOGIN, NO_METHOD, DENIED, NO_METHOD, NO_METHOD),
        kwargs={"name": "strategist"},
    ),
    "reports:subscribe": Row(
        get=R(LOGIN, NO_METHOD, DENIED, NO_METHOD, NO_METHOD),
        post=R(LOGIN, REDIRECT, DENIED, REDIRECT, REDIRECT),
        kwargs={"name": "strategist"},
    ),
    # A subscription is its user's own: anyone else's is a 404 to everyone.
    "reports:subscription_delete": Row(
        get=POST_ONLY,
        post=R(LOGIN, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        other_get=POST_ONLY,
        other_post=R(LOGIN, HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    ),
    "reports:case_sheet": Row(get=ALL_GET, post=GET_ONLY),
    "reports:direct_award": Row(get=ALL_GET, post=GET_ONLY),
    "reports:budget_list": Row(
        get=R(LOGIN, OK, DENIED, OK, OK), post=R(LOGIN, NO_METHOD, DENIED, NO_METHOD, NO_METHOD)
    ),
    "reports:budget_create": Row(
        get=R(LOGIN, DENIED, DENIED, OK, OK), post=R(LOGIN, DENIED, DENIED, BAD, BAD)
    ),
    "reports:budget_update": Row(
        get=R(LOGIN, DENIED, DENIED, OK, OK), post=R(LOGIN, DENIED, DENIED, BAD, BAD)
    ),
}


# --- the URL patterns ------------------------------------------------------------------


def walk(patterns, prefix="", namespace=""):
    """(name, route, kwarg names) of every URL pattern, includes followed."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(SKIPPED):
            continue
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or route
            if namespace and pattern.name:
                name = f"{namespace}:{pattern.name}"
            yield name, route, tuple(pattern.pattern.converters)


PATTERNS = sorted(walk(get_resolver().url_patterns))


def test_the_walk_finds_the_projects_urls():
    names = {name for name, _route, _kwargs in PATTERNS}
    assert {"dashboard", "inventory:asset_detail", "procurement:case_detail"} <= names
    assert {"reports:budget_update", "reports:report"} <= names
    assert not any(route.startswith("admin/") for _name, route, _kwargs in PATTERNS)


# --- the objects the kwargs name -------------------------------------------------------

# What `pk` names on each URL that has one; other kwargs name the same kind everywhere.
PK_OF = {
    "procurement:quote_choose": "quote",
    "procurement:line_update": "line",
    "procurement:line_remove": "line",
    "procurement:document_download": "document",
    "procurement:case_trial_detach": "evidence",
    "inventory:fault_detail": "fault",
    "inventory:fault_photo": "fault",
    "inventory:fault_acknowledge": "fault",
    "inventory:fault_repair": "fault",
    "inventory:fault_close": "fault",
    "inventory:loan_lend": "loan",
    "inventory:loan_cancel": "loan",
    "inventory:loan_return": "lent_loan",
    "inventory:stocktake_detail": "stocktake",
    "inventory:stocktake_found": "stocktake",
    "inventory:stocktake_close": "stocktake",
    "reports:budget_update": "budget",
    "reports:subscription_delete": "subscription",
    "inventory:asset_import_preview": "import",
    "inventory:asset_import_confirm": "import",
    "inventory:asset_import_rejected": "import",
    "inventory:asset_import_cancel": "import",
}
# What another kwarg names on the URLs where it is not the usual kind: the trial log's
# tag is a unit on trial's, with a session.
KIND_OF = {("inventory:trial_log", "tag"): "trial_asset"}
# The loan pages' tag is a lendable kit's: one with a booking, one lent out (a loan of
# another asset than the URL's is a 404).
KIND_OF.update(
    {
        ("inventory:asset_loans", "tag"): "loan_asset",
        ("inventory:loan_lend", "tag"): "loan_asset",
        ("inventory:loan_cancel", "tag"): "loan_asset",
        ("inventory:loan_return", "tag"): "lent_asset",
    }
)
# Objects owned by a user rather than a library: "other" is another user's.
PER_USER = {"subscription", "import"}
IMPORT_CSV = "Inventarienummer;Kategori;Bibliotek\r\nX-1;Publik dator;HB\r\n"
# The smallest PNG: one transparent pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _pdf(name: str) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@dataclass
class World:
    users: dict
    own: dict
    other: dict
    imports: dict  # username -> AssetImport
    subscriptions: dict  # username -> ReportSubscription
    stranger: User


def _build(users: dict) -> World:
    admin = users["admin"]
    # The first case of this year's: a direct award, with quotes and a document in HB.
    cases = ProcurementCase.objects.filter(number=1).order_by("-year")
    own_case = cases.filter(library__code="HB").first()
    other_case = cases.filter(library__code="SO").first()
    # The other library's case gets a quote and a document of its own to point at.
    supplier = own_case.quotes.first().supplier
    other_quote = procurement_services.quote_add(
        case=other_case,
        actor=admin,
        supplier=supplier,
        amount=Decimal("120000"),
        received_on=other_case.created_at.date(),
    )
    other_document = procurement_services.document_add(
        case=other_case, actor=admin, kind="quote", upload=_pdf("offert.pdf")
    )
    stranger = User.objects.create_user("stranger", password="x")
    # A fault report with a photo on each side's asset.
    faults = {}
    for tag in ("HB-PC-01", "NO-PC-01"):
        fault = FaultReport.objects.create(
            asset=Asset.objects.get(tag=tag),
            reported_by=admin,
            description="Trasig",
            urgency="poor",
            photo_content_type="image/png",
        )
        fault.photo.save("foto.png", ContentFile(PNG), save=True)
        faults[tag] = fault
    trial_assets, evidence = _trials(admin, own_case, other_case)
    lending = _loans(admin)
    # An open stocktake of each side's library.
    counts = {}
    for tag in ("HB-PC-01", "NO-PC-01"):
        library = Asset.objects.get(tag=tag).library
        current = stocktakes.open_stocktake_of(library)
        counts[library.code] = current or stocktakes.stocktake_start(actor=admin, library=library)
    subscriptions = {
        user.username: ReportSubscription.objects.create(
            user=user, report="it-status", frequency="weekly", file_format="pdf"
        )
        for user in [*users.values(), stranger]
    }
    imports = {}
    for username in ("it", "admin", "stranger"):
        user = stranger if username == "stranger" else users[username]
        upload = AssetImport(uploaded_by=user, file_name="lista.csv")
        upload.file.save("lista.csv", ContentFile(IMPORT_CSV.encode()), save=True)
        imports[username] = upload
    return World(
        users=users,
        own={
            "tag": Asset.objects.get(tag="HB-PC-01"),
            "reference": own_case,
            "quote": own_case.quotes.first(),
            "line": own_case.lines.first(),
            "document": own_case.documents.first(),
            "budget": Budget.objects.get(library__code="HB", year=own_case.year, category=None),
            "fault": faults["HB-PC-01"],
            "stocktake": counts["HB"],
            "trial_asset": trial_assets["HB"],
            "evidence": evidence["HB"],
            **lending["HB"],
        },
        other={
            "tag": Asset.objects.get(tag="NO-PC-01"),
            "reference": other_case,
            "quote": other_quote,
            "line": other_case.lines.first(),
            "document": other_document,
            "budget": Budget.objects.get(library__code="NO", year=own_case.year, category=None),
            "fault": faults["NO-PC-01"],
            "stocktake": counts["NO"],
            "trial_asset": trial_assets["NO"],
            "evidence": evidence["NO"],
            **lending["NO"],
        },
        imports=imports,
        subscriptions=subscriptions,
        stranger=stranger,
    )


def _trials(admin: User, own_case: ProcurementCase, other_case: ProcurementCase):
    """A unit on trial with a session on each side (HB's from the demo data, one made at
    NO), each attached to its side's case."""
    no_pc = Asset.objects.get(tag="NO-PC-01")
    units = {
        "HB": Asset.objects.get(tag="HB-VR-05"),
        "NO": Asset.objects.create(
            tag="NO-TR-01",
            library=no_pc.library,
            location=no_pc.location,
            category=no_pc.category,
            status="in_stock",
            ownership="trial",
            trial_return_by=timezone.localdate() + timedelta(days=10),
        ),
    }
    evidence = {}
    for side, case in (("HB", own_case), ("NO", other_case)):
        TrialSession.objects.create(
            asset=units[side],
            held_on=timezone.localdate(),
            tried="Läsplatta",
            group="Seniorkursen",
            rating=4,
            comment="Uppskattad",
            logged_by=admin,
        )
        evidence[side] = TrialEvidence.objects.create(
            case=case, asset=units[side], attached_by=admin
        )
    return units, evidence


def _loans(admin: User) -> dict:
    """On each side, two lendable VR kits (inventory.loans): one booked from a week
    ahead, the other lent out now."""
    category = Category.objects.get(code="vr_kit")
    if not category.loan_checklist:
        category.loan_checklist = "Headset\nHandkontroller\nRengjort\nLaddat"
        category.save()
    today = timezone.localdate()
    made = {}
    for code in ("HB", "NO"):
        pc = Asset.objects.get(tag=f"{code}-PC-01")
        kits = [
            Asset.objects.create(
                tag=f"{code}-LAN-0{n}",
                library=pc.library,
                location=pc.location,
                category=category,
                status="in_stock",
                lendable=True,
            )
            for n in (1, 2)
        ]
        booked = loans.loan_book(
            actor=admin,
            asset=kits[0],
            borrower="Vuxenskolan",
            starts_on=today + timedelta(days=7),
            due_on=today + timedelta(days=9),
        )
        out = loans.loan_book(
            actor=admin, asset=kits[1], borrower="Kulturskolan", starts_on=today, due_on=today
        )
        made[code] = {
            "loan_asset": kits[0],
            "loan": booked,
            "lent_asset": kits[1],
            "lent_loan": loans.loan_lend(actor=admin, loan=out),
        }
    return made


@pytest.fixture(scope="module")
def world(demo_module, django_db_blocker):
    """The demo data and the objects the URLs point at, made once for the module (and
    rolled back with the demo data at its end)."""
    with django_db_blocker.unblock():
        return _build(demo_module)


def _value(obj) -> str:
    if isinstance(obj, Asset):
        return obj.tag
    if isinstance(obj, ProcurementCase):
        return obj.url_reference
    return str(obj.pk)


def url_for(world: World, name: str, kwarg_names, role: str, variant: str, row: Row) -> str:
    kwargs = {}
    for kwarg in kwarg_names:
        if kwarg in row.kwargs:
            kwargs[kwarg] = row.kwargs[kwarg]
            continue
        kind = PK_OF.get(name, "") if kwarg == "pk" else KIND_OF.get((name, kwarg), kwarg)
        if kind in PER_USER:
            owners = world.imports if kind == "import" else world.subscriptions
            owner = role if variant == "own" and role in owners else "stranger"
            kwargs[kwarg] = _value(owners[owner])
        elif kind in world.own:
            kwargs[kwarg] = _value(getattr(world, variant)[kind])
        else:
            raise AssertionError(f"{name}: no object for the URL kwarg {kwarg!r}: add it")
    return reverse(name, kwargs=kwargs)


def outcome(response):
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith("/accounts/login/") else REDIRECT
    return response.status_code


def expected_other(row: Row, method: str) -> dict:
    explicit = row.other_get if method == "get" else row.other_post
    if explicit is not None:
        return explicit
    own = row.get if method == "get" else row.post
    return {**own, "chef": HIDDEN}


@pytest.mark.parametrize(
    ("name", "route", "kwarg_names"), PATTERNS, ids=[name for name, _r, _k in PATTERNS]
)
def test_every_url_answers_each_role_as_the_table_says(world, name, route, kwarg_names):
    row = TABLE.get(name)
    assert row is not None, (
        f"The URL {name!r} (/{route}) has no row in TABLE of {__name__}: add one that says "
        "what anonymous, a library manager, IT, the strategist and the administrator get "
        "from it by GET and by POST."
    )
    has_objects = any(kwarg not in row.kwargs for kwarg in kwarg_names)
    variants = ("own", "other") if has_objects else ("own",)
    clients = {role: Client() for role in ROLES}
    for role in ROLES[1:]:
        clients[role].force_login(world.users[role])
    problems = []
    for variant in variants:
        for method in ("get", "post"):
            if variant == "own":
                expected = row.get if method == "get" else row.post
            else:
                expected = expected_other(row, method)
            for role in ROLES:
                url = url_for(world, name, kwarg_names, role, variant, row)
                _restore_files(world)
                with transaction.atomic():
                    response = getattr(clients[role], method)(url)
                    transaction.set_rollback(True)
                got = outcome(response)
                if got != expected[role]:
                    problems.append(
                        f"{method.upper()} {url} as {role} ({variant}): {got}, "
                        f"the table says {expected[role]}"
                    )
    assert not problems, "\n".join(problems)


def _restore_files(world: World) -> None:
    """A confirmed or cancelled import removes its file, which no rollback brings back."""
    for upload in world.imports.values():
        if not upload.file.storage.exists(upload.file.name):
            upload.file.storage.save(upload.file.name, ContentFile(IMPORT_CSV.encode()))
