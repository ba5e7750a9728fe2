"""Every service that writes to a case, an asset or another library's data refuses a
library manager for another library's object, at the service itself, not only on the
pages (which answer 404 first).

The library manager here holds every permission of the apps except the one to see every
library: what refuses them is then the library, not a missing permission. A refused call
writes nothing: no row of any table changes, no history is recorded and no file is
stored. Each service is also called for the manager's own library, where the library is
no reason to refuse.

A public service of the apps that takes an asset, a case, a library or another object
of a library, and has no row in SERVICES, fails the test.
"""

import contextlib
import inspect
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inventory import faults as inventory_faults
from inventory import loans as inventory_loans
from inventory import services as inventory_services
from inventory import stocktakes as inventory_stocktakes
from inventory import trials as inventory_trials
from inventory.imports import service as import_service
from inventory.models import Asset, Category, DataVersion, FaultReport, Loan
from procurement import evidence as procurement_evidence
from procurement import services as procurement_services
from procurement.choices import Stage
from procurement.models import ProcurementCase, Supplier, TrialEvidence
from reports import services as report_services
from reports.models import Budget, ReportSubscription
from tests.factories import AssetFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

MODULES = (
    inventory_services,
    inventory_faults,
    inventory_loans,
    inventory_stocktakes,
    inventory_trials,
    procurement_services,
    procurement_evidence,
    report_services,
    import_service,
)
# Parameters through which a service is handed an object of a library.
OBJECT_PARAMETERS = {
    "asset",
    "assets",
    "case",
    "library",
    "location",
    "budget",
    "subscription",
    "fault",
    "loan",
    "evidence",
    "stocktake",
}


@dataclass
class Side:
    """The objects of one library: the manager's own (HB) or another (NO)."""

    library: object
    location: object
    asset: Asset
    case: ProcurementCase
    budget: Budget
    subscription: ReportSubscription


@pytest.fixture
def manager(chef):
    """The library manager of HB with every permission but seeing every library."""
    chef.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label__in=["inventory", "procurement", "reports"]
        ).exclude(codename="access_all_libraries")
    )
    return User.objects.get(pk=chef.pk)  # without cached permissions


@pytest.fixture
def sides(make_case, admin_user_role, chef, hb_floor2, no_public, hb_asset, no_asset, suppliers):
    def side(location, asset, subscriber):
        library = location.library
        case = make_case(admin_user_role, library)
        return Side(
            library=library,
            location=location,
            asset=asset,
            case=case,
            budget=Budget.objects.create(library=library, year=2026, amount=Decimal(100)),
            subscription=ReportSubscription.objects.create(
                user=subscriber, report="it-status", frequency="weekly", library=library
            ),
        )

    stranger = UserFactory(username="stranger")
    return {"own": side(hb_floor2, hb_asset, chef), "other": side(no_public, no_asset, stranger)}


def _pdf():
    return SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _line(side: Side):
    return side.case.lines.first() or procurement_services.line_add(
        case=side.case,
        actor=None,
        category=side.case.category,
        description="Dator",
        quantity=1,
        estimated_unit_price=Decimal(100),
        _checked=True,
    )


def _quote(side: Side):
    return side.case.quotes.first() or procurement_services.quote_add(
        case=side.case,
        actor=User.objects.get(username="admin"),
        supplier=Supplier.objects.first(),
        amount=Decimal(100),
        received_on=date(2026, 1, 1),
    )


def _fault(side: Side):
    return side.asset.fault_reports.first() or FaultReport.objects.create(
        asset=side.asset, description="Trasig", urgency="poor"
    )


def _on_trial(side: Side):
    """The side's asset made a unit on trial, whose trial may be logged and attached."""
    Asset.objects.filter(pk=side.asset.pk).update(
        ownership="trial", trial_return_by=date(2026, 12, 31)
    )
    side.asset.refresh_from_db()


def _evidence(side: Side):
    _on_trial(side)
    return TrialEvidence.objects.get_or_create(
        case=side.case,
        asset=side.asset,
        defaults={"attached_by": User.objects.get(username="admin")},
    )[0]


def _stocktake(side: Side):
    """The open stocktake of the side's library."""
    library = side.library
    return inventory_stocktakes.open_stocktake_of(library) or inventory_stocktakes.stocktake_start(
        actor=User.objects.get(username="admin"), library=library
    )


def _loan(side: Side):
    """A booking of the side's asset, made lendable (inventory.loans)."""
    Asset.objects.filter(pk=side.asset.pk).update(lendable=True)
    side.asset.refresh_from_db()
    return side.asset.loans.first() or Loan.objects.create(
        asset=side.asset,
        borrower="Vuxenskolan",
        starts_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=2),
    )


# Each service, called by `actor` for the objects of `side`. Where a service is not
# refused by the service itself, the row says which page guards it instead.
@dataclass(frozen=True)
class Service:
    call: object = None  # (actor, side) -> anything
    guarded_by: str = ""  # for a service without its own check: the page that checks
    # (side) -> anything: what the call needs that is there before it (a quote to choose,
    # a line to deliver), made before the call so that the call itself writes nothing.
    prepare: object = None

    def __call__(self, actor, side: Side):
        if self.prepare:
            self.prepare(side)
        return self.call(actor, side)


SERVICES: dict[str, Service] = {
    "inventory.services.asset_create": Service(
        lambda actor, s: inventory_services.asset_create(
            actor=actor,
            tag="NEW-1",
            library=s.library,
            location=s.location,
            category=s.asset.category,
        )
    ),
    "inventory.services.asset_update": Service(
        lambda actor, s: inventory_services.asset_update(
            asset=s.asset, actor=actor, expected_version=s.asset.version, data={"notes": "x"}
        )
    ),
    # The shared checks of the services on the floor, called on their own.
    "inventory.services.require_permission_on_asset": Service(
        lambda actor, s: inventory_services.require_permission_on_asset(
            actor, "inventory.view_asset", s.asset
        )
    ),
    "inventory.services.require_permission_in_library": Service(
        lambda actor, s: inventory_services.require_permission_in_library(
            actor, "inventory.view_asset", s.library
        )
    ),
    "inventory.services.asset_change_status": Service(
        lambda actor, s: inventory_services.asset_change_status(
            asset=s.asset, to_status="in_repair", actor=actor
        )
    ),
    "inventory.services.assets_bulk_change_status": Service(
        lambda actor, s: inventory_services.assets_bulk_change_status(
            assets=Asset.objects.filter(pk=s.asset.pk), to_status="in_repair", actor=actor
        )
    ),
    "inventory.services.assets_bulk_move": Service(
        lambda actor, s: inventory_services.assets_bulk_move(
            assets=Asset.objects.filter(pk=s.asset.pk), location=s.location, actor=actor
        )
    ),
    "inventory.services.maintenance_add": Service(
        lambda actor, s: inventory_services.maintenance_add(
            asset=s.asset, actor=actor, date=date(2026, 1, 1), kind="repair", description="x"
        )
    ),
    # Takes no library's object: a category's new lifecycle moves every library's dates,
    # so only those who see every library may change it.
    "inventory.services.category_set_lifecycle": Service(
        lambda actor, s: inventory_services.category_set_lifecycle(
            category=Category.objects.get(pk=s.asset.category_id), months=36, actor=actor
        )
    ),
    "inventory.faults.fault_report": Service(
        lambda actor, s: inventory_faults.fault_report(
            asset=s.asset, actor=actor, description="Trasig", urgency="poor"
        )
    ),
    "inventory.faults.fault_acknowledge": Service(
        lambda actor, s: inventory_faults.fault_acknowledge(fault=_fault(s), actor=actor),
        prepare=_fault,
    ),
    "inventory.faults.fault_send_to_repair": Service(
        lambda actor, s: inventory_faults.fault_send_to_repair(fault=_fault(s), actor=actor),
        prepare=_fault,
    ),
    "inventory.faults.fault_close": Service(
        lambda actor, s: inventory_faults.fault_close(
            fault=_fault(s), actor=actor, resolution="Lagad"
        ),
        prepare=_fault,
    ),
    "inventory.loans.loan_book": Service(
        lambda actor, s: inventory_loans.loan_book(
            actor=actor,
            asset=s.asset,
            borrower="Kulturskolan",
            starts_on=timezone.localdate() + timedelta(days=5),
            due_on=timezone.localdate() + timedelta(days=6),
        ),
        prepare=_loan,
    ),
    "inventory.loans.loan_lend": Service(
        lambda actor, s: inventory_loans.loan_lend(actor=actor, loan=_loan(s)), prepare=_loan
    ),
    # A booked loan: the refusal comes before the service looks at the loan's state.
    "inventory.loans.loan_return": Service(
        lambda actor, s: inventory_loans.loan_return(actor=actor, loan=_loan(s), ticked=[]),
        prepare=_loan,
    ),
    "inventory.loans.loan_cancel": Service(
        lambda actor, s: inventory_loans.loan_cancel(actor=actor, loan=_loan(s)), prepare=_loan
    ),
    # Reads of inventory.loans, for the pages that have found the asset the user sees
    # (AssetObjectMixin, a 404 otherwise); they write nothing.
    "inventory.loans.asset_loans": Service(guarded_by="the loan pages; it writes nothing"),
    "inventory.loans.asset_loan_panel": Service(guarded_by="the asset page; it writes nothing"),
    "inventory.loans.open_loan": Service(guarded_by="the status page; it writes nothing"),
    "inventory.loans.status_page_moves": Service(
        guarded_by="the status page's form; it writes nothing"
    ),
    "inventory.loans.loan_is_overdue": Service(guarded_by="a read; it writes nothing"),
    "inventory.stocktakes.stocktake_start": Service(
        lambda actor, s: inventory_stocktakes.stocktake_start(actor=actor, library=s.library)
    ),
    "inventory.stocktakes.stocktake_mark_seen": Service(
        lambda actor, s: inventory_stocktakes.stocktake_mark_seen(
            actor=actor, stocktake=_stocktake(s), assets=[s.asset]
        ),
        prepare=_stocktake,
    ),
    "inventory.stocktakes.stocktake_close": Service(
        lambda actor, s: inventory_stocktakes.stocktake_close(actor=actor, stocktake=_stocktake(s)),
        prepare=_stocktake,
    ),
    # Reads of inventory.stocktakes: they write nothing; the pages reach them through
    # stocktakes_visible_to (a stocktake of another library is a 404).
    "inventory.stocktakes.open_stocktake_of": Service(guarded_by="a read; it writes nothing"),
    "inventory.stocktakes.stocktake_page": Service(guarded_by="a read; it writes nothing"),
    "inventory.stocktakes.places_of": Service(guarded_by="a read; it writes nothing"),
    "inventory.stocktakes.asset_stocktake": Service(
        guarded_by="a read of the stocktakes the user sees; it writes nothing"
    ),
    "inventory.stocktakes.asset_panel": Service(
        guarded_by="a read of the stocktakes the user sees; it writes nothing"
    ),
    "inventory.trials.trial_session_log": Service(
        lambda actor, s: inventory_trials.trial_session_log(
            actor=actor,
            asset=s.asset,
            held_on=timezone.localdate(),
            tried="Läsplatta",
            group="Seniorkursen",
            rating=4,
        ),
        prepare=_on_trial,
    ),
    # Reads of trials: each starts from what the page or report gives it, which comes
    # from the reader's visible assets (inventory.selectors.assets_visible_to).
    "inventory.trials.trial_summary": Service(
        guarded_by="the trial log and the asset page (AssetObjectMixin); it writes nothing"
    ),
    "inventory.trials.trial_summaries": Service(
        guarded_by="its caller's assets_visible_to queryset; it writes nothing"
    ),
    "inventory.trials.trials_returning": Service(
        guarded_by="its caller's assets_visible_to queryset; it writes nothing"
    ),
    "inventory.trials.trial_assets": Service(
        guarded_by="its caller's assets_visible_to queryset; it writes nothing"
    ),
    "inventory.trials.asset_panel": Service(
        guarded_by="the asset page (AssetObjectMixin); it writes nothing"
    ),
    "inventory.trials.may_log": Service(
        guarded_by="the trial log page, to show its form; it writes nothing"
    ),
    "inventory.trials.is_on_trial": Service(guarded_by="inventory.trials; it writes nothing"),
    "procurement.evidence.case_attach_trial": Service(
        lambda actor, s: procurement_evidence.case_attach_trial(
            actor=actor, case=s.case, asset=s.asset
        ),
        prepare=_on_trial,
    ),
    "procurement.evidence.case_detach_trial": Service(
        lambda actor, s: procurement_evidence.case_detach_trial(actor=actor, evidence=_evidence(s)),
        prepare=_evidence,
    ),
    "procurement.evidence.case_evidence_visible": Service(
        guarded_by="the case page and the detach page (case_get); it writes nothing"
    ),
    "procurement.evidence.case_trials": Service(
        guarded_by="the case page (selectors.case_page after case_get); it writes nothing"
    ),
    "procurement.evidence.trials_attachable": Service(
        guarded_by="the case page (selectors.case_page after case_get); it writes nothing"
    ),
    "procurement.services.case_create": Service(
        lambda actor, s: procurement_services.case_create(
            actor=actor,
            library=s.library,
            title="Ny",
            need="Behov",
            category=s.case.category,
            estimated_value=Decimal(1000),
        )
    ),
    "procurement.services.case_update": Service(
        lambda actor, s: procurement_services.case_update(
            case=s.case, actor=actor, expected_version=s.case.version, data={"title": "x"}
        )
    ),
    "procurement.services.case_transition": Service(
        lambda actor, s: procurement_services.case_transition(
            case=s.case, to_stage=Stage.ANALYSIS, actor=actor
        )
    ),
    "procurement.services.case_decide": Service(
        lambda actor, s: procurement_services.case_decide(
            case=s.case, actor=actor, decision="approved", level=0
        )
    ),
    "procurement.services.line_add": Service(
        lambda actor, s: procurement_services.line_add(
            case=s.case,
            actor=actor,
            category=s.case.category,
            description="Dator",
            quantity=1,
            estimated_unit_price=Decimal(100),
        )
    ),
    "procurement.services.line_update": Service(
        lambda actor, s: procurement_services.line_update(
            case=s.case, line=s.case.lines.get(), actor=actor, data={"quantity": 2}
        ),
        prepare=_line,
    ),
    "procurement.services.line_remove": Service(
        lambda actor, s: procurement_services.line_remove(
            case=s.case, line=s.case.lines.get(), actor=actor
        ),
        prepare=_line,
    ),
    "procurement.services.line_lock_reason": Service(
        guarded_by="the case page and the line pages, which show it; it writes nothing"
    ),
    "procurement.services.quote_add": Service(
        lambda actor, s: procurement_services.quote_add(
            case=s.case,
            actor=actor,
            supplier=Supplier.objects.first(),
            amount=Decimal(100),
            received_on=date(2026, 1, 1),
        )
    ),
    "procurement.services.quote_choose": Service(
        lambda actor, s: procurement_services.quote_choose(
            case=s.case, actor=actor, quote=s.case.quotes.get()
        ),
        prepare=_quote,
    ),
    "procurement.services.comment_add": Service(
        lambda actor, s: procurement_services.comment_add(case=s.case, actor=actor, text="Hej")
    ),
    "procurement.services.document_add": Service(
        lambda actor, s: procurement_services.document_add(
            case=s.case, actor=actor, kind="quote", upload=_pdf()
        )
    ),
    "procurement.services.assets_register_delivery": Service(
        lambda actor, s: procurement_services.assets_register_delivery(
            case=s.case,
            actor=actor,
            items=[procurement_services.DeliveryItem(line=_line(s), serial_numbers=["S1"])],
            location=s.location,
        ),
        prepare=_line,
    ),
    # Helpers the import applies to an asset in memory, row by row; they write nothing.
    "inventory.services.set_derived": Service(
        guarded_by="the import (inventory.imports.resource); it writes nothing"
    ),
    "inventory.services.apply_status_move": Service(
        guarded_by="the import (inventory.imports.resource); it writes nothing"
    ),
    "procurement.services.delivery_tag": Service(
        guarded_by="procurement.services.assets_register_delivery; it writes nothing"
    ),
    "reports.services.budget_save": Service(
        lambda actor, s: report_services.budget_save(
            actor=actor,
            budget=s.budget,
            library=s.library,
            year=2026,
            category=None,
            amount=Decimal(200),
        )
    ),
    "reports.services.subscription_create": Service(
        lambda actor, s: report_services.subscription_create(
            actor=actor,
            report="it-status",
            frequency="monthly",
            file_format="pdf",
            library=s.library,
        )
    ),
    # A subscription is its user's: "other" is another user's.
    "reports.services.subscription_delete": Service(
        lambda actor, s: report_services.subscription_delete(
            actor=actor, subscription=s.subscription
        )
    ),
    # The import writes the rows of whichever library its file names. Its only callers
    # check the importer: the import pages (inventory.views.imports.AssetImportView and
    # the preview, confirm and cancel views) need add_asset and change_asset, which only
    # IT and the administrator hold, and both see every library; the command line acts
    # for the municipality.
    "inventory.imports.service.assets_import": Service(
        guarded_by="inventory.views.imports.AssetImportView (add_asset and change_asset)"
    ),
}


def _public_services():
    """Public functions of the service modules that take an object of a library."""
    for module in MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            parameters = set(inspect.signature(function).parameters)
            if parameters & OBJECT_PARAMETERS:
                yield f"{module.__name__}.{name}"


def test_every_service_has_a_row():
    missing = sorted(set(_public_services()) - set(SERVICES))
    assert not missing, (
        f"Services without a row in SERVICES of {__name__}: {missing}. Add one that calls "
        "the service for another library's object (it must be refused), or names the page "
        "that guards it."
    )


CALLED = sorted(name for name, service in SERVICES.items() if service.call)


# The apps whose tables a service may write to, history and uploads' records included.
WRITTEN_APPS = ("inventory", "procurement", "reports", "auth")


def _stored(media_root):
    """Every row of the apps' tables, and every file under MEDIA_ROOT. The data
    version is left out: the test's own preparing writes change it (inventory/figures.py)."""
    rows = {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for app in WRITTEN_APPS
        for model in django_apps.get_app_config(app).get_models()
        if model is not DataVersion
    }
    files = sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )
    return rows, files


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("name", CALLED)
def test_a_library_manager_is_refused_another_librarys_object(name, manager, sides, media_root):
    service, other = SERVICES[name], sides["other"]
    if service.prepare:
        service.prepare(other)
    rows_before, files_before = _stored(media_root)
    with pytest.raises(PermissionDenied):
        service.call(manager, other)
    # The rows handed to it (asset, case, budget, ...) are reloaded, and the history
    # (ChangeRecord, StageChange) is among the tables compared.
    rows_after, files_after = _stored(media_root)
    changed = [table for table, rows in rows_before.items() if rows_after[table] != rows]
    assert changed == [], f"{name} was refused but changed {changed}"
    assert files_after == files_before, f"{name} was refused but stored a file"


# A category is every library's: no library manager changes one, whatever their library.
EVERY_LIBRARYS = {"inventory.services.category_set_lifecycle"}


@pytest.mark.parametrize("name", [name for name in CALLED if name not in EVERY_LIBRARYS])
def test_the_own_library_is_no_reason_to_refuse(name, manager, sides):
    """The same call for HB is not refused for its library (it may fail for another
    reason, such as a move the rules do not allow yet)."""
    with contextlib.suppress(ValidationError):
        SERVICES[name](manager, sides["own"])


def test_it_staff_may_write_to_every_library(it_user, sides):
    inventory_services.asset_update(
        asset=sides["other"].asset, actor=it_user, expected_version=1, data={"notes": "NO"}
    )
    assert Asset.objects.get(pk=sides["other"].asset.pk).notes == "NO"


def test_a_command_without_a_user_acts_for_the_municipality(sides):
    inventory_services.asset_update(
        asset=sides["other"].asset, actor=None, expected_version=1, data={"notes": "cron"}
    )
    assert Asset.objects.get(pk=sides["other"].asset.pk).notes == "cron"


def test_a_bulk_move_with_one_asset_of_another_library_moves_none(manager, sides):
    own, other = sides["own"].asset, sides["other"].asset
    store = LocationFactory(library=sides["own"].library, name="Förråd")
    with pytest.raises(PermissionDenied):
        inventory_services.assets_bulk_move(
            assets=Asset.objects.filter(pk__in=[own.pk, other.pk]), location=store, actor=manager
        )
    assert Asset.objects.get(pk=own.pk).location_id == own.location_id


def test_a_budget_of_another_library_cannot_be_moved_into_the_own(manager, sides):
    budget = sides["other"].budget
    with pytest.raises(PermissionDenied):
        report_services.budget_save(
            actor=manager,
            budget=budget,
            library=sides["own"].library,
            year=2026,
            category=None,
            amount=Decimal(1),
        )
    assert Budget.objects.get(pk=budget.pk).library == sides["other"].library


def test_a_location_of_another_library_is_refused_for_a_bulk_move(manager, sides):
    asset = AssetFactory(tag="HB-2", library=sides["own"].library, location=sides["own"].location)
    with pytest.raises(PermissionDenied):
        inventory_services.assets_bulk_move(
            assets=Asset.objects.filter(pk=asset.pk),
            location=sides["other"].location,
            actor=manager,
            confirmed_library_changes=["HB-2"],
        )
