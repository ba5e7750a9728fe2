"""The case workflow: reference numbers, stage moves and their guards, delivery."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.utils import timezone

from inventory.choices import ChangeSource
from inventory.history import records_for
from inventory.models import Asset, ChangeRecord, Manufacturer, ProductModel
from procurement import selectors, services
from procurement.choices import Decision, DocumentKind, Stage
from procurement.models import ProcurementCase, StageChange
from tests.factories import LocationFactory, ManufacturerFactory, ProductModelFactory

pytestmark = pytest.mark.django_db


def advance(case, actor, *stages, **kwargs):
    for stage in stages:
        case = services.case_transition(case=case, to_stage=stage, actor=actor, **kwargs)
    return case


def approved(case, chef, strateg, level=0):
    case = advance(case, chef, Stage.ANALYSIS)
    case = services.case_update(
        case=case, actor=chef, expected_version=case.version, data={"analysis": "Åtta platser."}
    )
    case = advance(case, chef, Stage.APPROVAL)
    return services.case_decide(
        case=case, actor=strateg, decision=Decision.APPROVED, level=level, comment="Ja"
    )


class TestReference:
    def test_numbers_run_per_library_and_year(self, make_case, chef, admin_user_role, hb, no):
        first = make_case(chef, hb)
        second = make_case(chef, hb)
        other = make_case(admin_user_role, no)
        year = timezone.localdate().year
        assert first.reference == f"HB {year}/0001"
        assert second.reference == f"HB {year}/0002"
        assert other.reference == f"NO {year}/0001"
        assert second.url_reference == f"HB-{year}-0002"

    def test_a_number_is_never_reused(self, make_case, chef, hb):
        first = make_case(chef, hb)
        first.delete()
        assert make_case(chef, hb).number == 2

    def test_chef_cannot_open_a_case_for_another_library(self, make_case, chef, no):
        with pytest.raises(PermissionDenied):
            make_case(chef, no)
        assert not ProcurementCase.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_cases_created_at_once_get_different_numbers(migration_data, ruleset, workstation):
    from django.db import connection

    from tests.factories import LibraryFactory, make_role_user

    if connection.vendor == "sqlite":
        pytest.skip(
            "the in-memory test database cannot be shared by threads; CI runs this on PostgreSQL"
        )

    hb = LibraryFactory(code="HB", name="Stadsbiblioteket")
    chef = make_role_user("Bibliotekschef", "chef", [hb])
    barrier = threading.Barrier(2)
    errors = []

    def create():
        try:
            barrier.wait()
            services.case_create(
                actor=chef,
                library=hb,
                title="Samtidigt",
                need="x",
                category=workstation,
                estimated_value=Decimal("1000"),
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(ProcurementCase.objects.values_list("number", flat=True)) == [1, 2]


class TestGuards:
    def test_approval_needs_the_needs_analysis(self, make_case, chef, hb):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        with pytest.raises(services.MoveRefused) as refused:
            advance(case, chef, Stage.APPROVAL)
        assert "Behovsanalys" in " ".join(refused.value.messages)
        case.refresh_from_db()
        assert case.stage == Stage.ANALYSIS

    def test_library_manager_cannot_approve(self, make_case, chef, strateg, hb):
        case = approved(make_case(chef, hb), chef, strateg)
        assert case.stage == Stage.SPECIFICATION
        other = advance(make_case(chef, hb, analysis="x"), chef, Stage.ANALYSIS, Stage.APPROVAL)
        with pytest.raises(PermissionDenied):
            services.case_decide(case=other, actor=chef, decision=Decision.APPROVED, level=0)

    def test_award_needs_three_quotes_from_100000(
        self, make_case, chef, strateg, it_user, hb, suppliers
    ):
        case = approved(make_case(chef, hb, value="100000"), chef, strateg, level=1)
        case = advance(case, it_user, Stage.SOURCING)
        for supplier in suppliers[:2]:
            services.quote_add(
                case=case,
                actor=it_user,
                supplier=supplier,
                amount=Decimal("98000"),
                received_on=date(2026, 3, 1),
            )
        with pytest.raises(services.MoveRefused):
            advance(case, it_user, Stage.AWARD)
        services.quote_add(
            case=case,
            actor=it_user,
            supplier=suppliers[2],
            amount=Decimal("97000"),
            received_on=date(2026, 3, 2),
        )
        case = advance(case, it_user, Stage.AWARD)
        assert case.stage == Stage.AWARD

    def test_one_quote_is_enough_just_under_100000(
        self, make_case, chef, strateg, it_user, hb, suppliers
    ):
        case = approved(make_case(chef, hb, value="99999.99"), chef, strateg)
        case = advance(case, it_user, Stage.SOURCING)
        services.quote_add(
            case=case,
            actor=it_user,
            supplier=suppliers[0],
            amount=Decimal("90000"),
            received_on=date(2026, 3, 1),
        )
        assert advance(case, it_user, Stage.AWARD).stage == Stage.AWARD

    def test_direct_award_skips_standstill_and_needs_approval_at_the_level(
        self, make_case, chef, strateg, it_user, hb, suppliers
    ):
        # 150 000 needs the second level; the approval was given at the first.
        case = approved(make_case(chef, hb, value="150000"), chef, strateg, level=0)
        case = advance(case, it_user, Stage.SOURCING)
        quotes = [
            services.quote_add(
                case=case,
                actor=it_user,
                supplier=s,
                amount=Decimal("150000"),
                received_on=date(2026, 3, 1),
            )
            for s in suppliers
        ]
        case = advance(case, it_user, Stage.AWARD)
        services.quote_choose(case=case, quote=quotes[1], actor=it_user)
        options = {o.to_stage for o in selectors.case_move_options(case, it_user)}
        assert Stage.ORDERED in options and Stage.STANDSTILL not in options
        with pytest.raises(services.MoveRefused) as refused:
            advance(case, it_user, Stage.ORDERED)
        text = " ".join(refused.value.messages)
        assert "Godkännande av budgetansvarig" in text
        assert StageChange.objects.filter(case=case, to_stage=Stage.ORDERED).count() == 0

    def test_override_needs_permission_and_reason_and_shows(
        self, make_case, chef, strateg, it_user, admin_user_role, hb
    ):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        with pytest.raises(PermissionDenied):
            advance(case, chef, Stage.APPROVAL, override_reason="Brådskande")
        case = services.case_transition(
            case=case,
            to_stage=Stage.APPROVAL,
            actor=admin_user_role,
            override_reason="Behovsanalysen finns på papper.",
        )
        change = StageChange.objects.get(case=case, to_stage=Stage.APPROVAL)
        assert change.overridden
        assert "papper" in change.comment

    def test_standstill_cannot_be_left_before_its_end(
        self, make_case, chef, strateg, it_user, admin_user_role, hb, suppliers
    ):
        case = approved(make_case(chef, hb, value="800000"), chef, strateg, level=2)
        assert case.procedure == "advertised"
        services.document_add(
            case=case,
            actor=it_user,
            kind=DocumentKind.SPECIFICATION,
            upload=_pdf("krav.pdf"),
        )
        case = advance(case, it_user, Stage.SOURCING)
        quote = services.quote_add(
            case=case,
            actor=it_user,
            supplier=suppliers[0],
            amount=Decimal("790000"),
            received_on=date(2026, 3, 1),
        )
        case = advance(case, it_user, Stage.AWARD)
        services.quote_choose(case=case, quote=quote, actor=it_user)
        with pytest.raises(services.MoveRefused):
            advance(case, it_user, Stage.STANDSTILL)
        sent = date(2026, 6, 9)  # day 10 is Friday 19 June, midsummer eve -> Monday 22 June
        case = services.case_update(
            case=case,
            actor=it_user,
            expected_version=case.version,
            data={"award_notice_sent_on": sent},
        )
        case = advance(case, it_user, Stage.STANDSTILL)
        with pytest.raises(services.MoveRefused):
            advance(case, it_user, Stage.ORDERED, today=date(2026, 6, 22))
        case = advance(case, it_user, Stage.ORDERED, today=date(2026, 6, 23))
        assert case.stage == Stage.ORDERED

    def test_hold_and_cancel_need_a_reason_and_hold_returns(self, make_case, chef, hb):
        case = advance(make_case(chef, hb), chef, Stage.ANALYSIS)
        with pytest.raises(services.MoveRefused):
            advance(case, chef, Stage.ON_HOLD)
        case = advance(case, chef, Stage.ON_HOLD, comment="Väntar på budget")
        assert case.stage_before_hold == Stage.ANALYSIS
        case = advance(case, chef, Stage.ANALYSIS)
        assert case.stage == Stage.ANALYSIS and case.stage_before_hold == ""
        case = advance(case, chef, Stage.CANCELLED, comment="Behovet föll bort")
        assert case.cancel_reason == "Behovet föll bort"
        with pytest.raises(services.MoveRefused):
            advance(case, chef, Stage.NEED)


class TestConcurrentEdit:
    def test_second_save_is_refused(self, make_case, chef, hb):
        case = make_case(chef, hb)
        version = case.version
        services.case_update(
            case=case, actor=chef, expected_version=version, data={"title": "Först"}
        )
        with pytest.raises(services.ConcurrentEditError):
            services.case_update(
                case=case, actor=chef, expected_version=version, data={"title": "Sedan"}
            )
        case.refresh_from_db()
        assert case.title == "Först"


class TestAggregation:
    def test_earlier_direct_awards_of_the_category_turn_a_case_advertised(
        self, make_case, chef, hb
    ):
        make_case(chef, hb, value="400000")
        second = make_case(chef, hb, value="299999.99")
        assert second.procedure == "direct_award"
        third = make_case(chef, hb, value="0.01")
        assert third.procedure == "advertised"
        from procurement.selectors import case_assessment

        codes = [w.code for w in case_assessment(third).warnings]
        assert "aggregation_over_limit" in codes


def _pdf(name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


class TestDocuments:
    def test_type_is_checked_by_content(self, make_case, chef, hb):
        from django.core.files.uploadedfile import SimpleUploadedFile

        case = make_case(chef, hb)
        fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
        with pytest.raises(ValidationError):
            services.document_add(case=case, actor=chef, kind=DocumentKind.QUOTE, upload=fake)
        document = services.document_add(
            case=case, actor=chef, kind=DocumentKind.QUOTE, upload=_pdf("offert.pdf")
        )
        assert document.content_type == "application/pdf"
        assert "offert" not in document.file.name  # stored under a name of our own

    def test_size_limit(self, make_case, chef, hb, settings):
        settings.INVENTERA_MAX_UPLOAD_BYTES = 10
        case = make_case(chef, hb)
        with pytest.raises(ValidationError):
            services.document_add(
                case=case, actor=chef, kind=DocumentKind.QUOTE, upload=_pdf("stor.pdf")
            )


def _line(category, description, quantity=2, price="9995.50"):
    return {
        "category": category,
        "description": description,
        "quantity": quantity,
        "estimated_unit_price": Decimal(price),
    }


def _to_delivered(case, admin):
    for stage in (
        Stage.ANALYSIS,
        Stage.APPROVAL,
        Stage.SPECIFICATION,
        Stage.SOURCING,
        Stage.AWARD,
        Stage.ORDERED,
        Stage.DELIVERED,
    ):
        case = services.case_transition(
            case=case, to_stage=stage, actor=admin, override_reason="test"
        )
    return case


class TestDelivery:
    @pytest.fixture
    def delivered(self, make_case, chef, admin_user_role, hb, workstation):
        case = make_case(chef, hb, value="80000", lines=[_line(workstation, "Publik dator")])
        return _to_delivered(case, admin_user_role)

    def test_registers_assets_linked_to_the_case(self, delivered, it_user, hb_floor2):
        line = delivered.lines.get()
        assets = services.assets_register_delivery(
            case=delivered,
            actor=it_user,
            location=hb_floor2,
            delivered_on=date(2026, 5, 4),
            items=[services.DeliveryItem(line=line, serial_numbers=["SN1", "SN2"])],
        )
        assert [a.tag for a in assets] == [
            f"HB-{delivered.year}-{delivered.number:04d}-01",
            f"HB-{delivered.year}-{delivered.number:04d}-02",
        ]
        asset = Asset.objects.get(serial_number="SN2")
        assert asset.purchase_price == Decimal("9995.50")
        assert asset.purchase_date == date(2026, 5, 4)
        assert asset.delivery.case == delivered
        record = ChangeRecord.objects.get(object_id=asset.pk, action="created")
        assert record.source == ChangeSource.DELIVERY
        assert record.source_detail == delivered.reference

    def test_all_or_nothing(self, delivered, it_user, hb_floor2, hb_asset):
        line = delivered.lines.get()
        with pytest.raises(ValidationError) as error:
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                items=[
                    services.DeliveryItem(
                        line=line, serial_numbers=["SN1", "SN2"], tags=["NY-1", hb_asset.tag]
                    )
                ],
            )
        assert "SN2" in " ".join(error.value.message_dict[f"line_{line.pk}"])
        assert not Asset.objects.filter(serial_number__in=["SN1", "SN2"]).exists()
        assert not delivered.delivered_assets.exists()

    def test_a_fault_on_the_second_asset_leaves_nothing(
        self, delivered, it_user, hb_floor2, monkeypatch
    ):
        """Fault injection: the real registration breaks half-way."""
        from inventory import services as inventory_services

        real = inventory_services.asset_create
        made = []

        def create_then_break(**kwargs):
            if made:
                raise RuntimeError("the database went away")
            made.append(real(**kwargs))
            return made[-1]

        monkeypatch.setattr(inventory_services, "asset_create", create_then_break)
        line = delivered.lines.get()
        with pytest.raises(RuntimeError):
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                items=[services.DeliveryItem(line=line, serial_numbers=["SN1", "SN2"])],
            )
        assert made and not Asset.objects.exists()
        assert not delivered.delivered_assets.exists()
        assert not ChangeRecord.objects.filter(source=ChangeSource.DELIVERY).exists()

    def test_more_serials_than_ordered_is_refused(self, delivered, it_user, hb_floor2):
        line = delivered.lines.get()
        with pytest.raises(ValidationError):
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                items=[services.DeliveryItem(line=line, serial_numbers=["A", "B", "C"])],
            )
        assert not Asset.objects.exists()

    def test_location_of_another_library_is_refused(self, delivered, it_user, no):
        line = delivered.lines.get()
        elsewhere = LocationFactory(library=no, name="Förråd")
        with pytest.raises(ValidationError):
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=elsewhere,
                items=[services.DeliveryItem(line=line, serial_numbers=["A"])],
            )

    def test_only_it_registers(self, delivered, chef, hb_floor2):
        line = delivered.lines.get()
        with pytest.raises(PermissionDenied):
            services.assets_register_delivery(
                case=delivered,
                actor=chef,
                location=hb_floor2,
                items=[services.DeliveryItem(line=line, serial_numbers=["A"])],
            )

    def test_assets_carry_the_manufacturer_model_and_warranty_given(
        self, delivered, it_user, hb_floor2
    ):
        lenovo = ManufacturerFactory(name="Lenovo")
        m70q = ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q")
        line = delivered.lines.get()
        services.assets_register_delivery(
            case=delivered,
            actor=it_user,
            location=hb_floor2,
            delivered_on=date(2026, 5, 4),
            items=[
                services.DeliveryItem(
                    line=line,
                    serial_numbers=["SN1", "SN2"],
                    # Written as people type them: any case, stray spaces.
                    manufacturer=" lenovo ",
                    model="thinkcentre  M70Q",
                    warranty_end=date(2029, 5, 4),
                )
            ],
        )
        rows = Asset.objects.filter(delivery__line=line).values_list(
            "serial_number", "manufacturer", "model", "warranty_end"
        )
        assert sorted(rows) == [
            ("SN1", lenovo.pk, m70q.pk, date(2029, 5, 4)),
            ("SN2", lenovo.pk, m70q.pk, date(2029, 5, 4)),
        ]
        record = records_for(Asset.objects.get(serial_number="SN1")).get(action="created")
        assert record.source == ChangeSource.DELIVERY
        assert record.changes["manufacturer"] == [None, "Lenovo"]
        assert record.changes["model"] == [None, "ThinkCentre M70q"]
        assert record.changes["warranty_end"] == [None, "2029-05-04"]
        assert (Manufacturer.objects.count(), ProductModel.objects.count()) == (1, 1)

    def test_a_model_alone_is_found_when_one_manufacturer_makes_it(
        self, delivered, it_user, hb_floor2
    ):
        m70q = ProductModelFactory(name="ThinkCentre M70q")
        [asset] = services.assets_register_delivery(
            case=delivered,
            actor=it_user,
            location=hb_floor2,
            items=[
                services.DeliveryItem(
                    line=delivered.lines.get(), serial_numbers=["SN1"], model="ThinkCentre M70q"
                )
            ],
        )
        asset.refresh_from_db()
        assert (asset.manufacturer, asset.model) == (m70q.manufacturer, m70q)

    def test_a_model_made_by_two_manufacturers_needs_the_manufacturer(
        self, delivered, it_user, hb_floor2
    ):
        ProductModelFactory(manufacturer=ManufacturerFactory(name="HP"), name="Pro 400")
        ProductModelFactory(manufacturer=ManufacturerFactory(name="Acer"), name="Pro 400")
        line = delivered.lines.get()
        with pytest.raises(ValidationError) as refused:
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                items=[services.DeliveryItem(line=line, serial_numbers=["SN1"], model="Pro 400")],
            )
        assert list(refused.value.message_dict) == [f"model_{line.pk}"]
        assert not Asset.objects.exists()

    def test_unknown_names_are_refused_unless_create_missing(self, delivered, it_user, hb_floor2):
        ManufacturerFactory(name="Lenovo")
        line = delivered.lines.get()
        for manufacturer, model, field, named in (
            ("Lenvoo", "", "manufacturer", "Lenvoo"),
            ("Lenovo", "ThinkCentre M90", "model", "ThinkCentre M90"),
            ("", "ThinkCentre M90", "model", "ThinkCentre M90"),
        ):
            with pytest.raises(ValidationError) as refused:
                services.assets_register_delivery(
                    case=delivered,
                    actor=it_user,
                    location=hb_floor2,
                    items=[
                        services.DeliveryItem(
                            line=line,
                            serial_numbers=["SN1"],
                            manufacturer=manufacturer,
                            model=model,
                        )
                    ],
                )
            assert list(refused.value.message_dict) == [f"{field}_{line.pk}"]
            [message] = refused.value.message_dict[f"{field}_{line.pk}"]
            assert f"”{named}”" in message
        assert not Asset.objects.exists()
        assert list(Manufacturer.objects.values_list("name", flat=True)) == ["Lenovo"]
        assert not ProductModel.objects.exists()

    def test_create_missing_registers_the_manufacturer_and_model(
        self, delivered, it_user, hb_floor2
    ):
        line = delivered.lines.get()
        [asset] = services.assets_register_delivery(
            case=delivered,
            actor=it_user,
            location=hb_floor2,
            create_missing=True,
            items=[
                services.DeliveryItem(
                    line=line, serial_numbers=["SN1"], manufacturer="Dell", model="OptiPlex 7020"
                )
            ],
        )
        dell = Manufacturer.objects.get(name="Dell")
        model = ProductModel.objects.get(manufacturer=dell, name="OptiPlex 7020")
        asset.refresh_from_db()
        assert (asset.manufacturer, asset.model) == (dell, model)

    def test_a_refused_delivery_creates_no_manufacturer(
        self, delivered, it_user, hb_floor2, hb_asset
    ):
        line = delivered.lines.get()
        with pytest.raises(ValidationError):
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                create_missing=True,
                items=[
                    services.DeliveryItem(
                        line=line,
                        serial_numbers=["SN1"],
                        tags=[hb_asset.tag],  # taken: the delivery is refused
                        manufacturer="Dell",
                        model="OptiPlex 7020",
                    )
                ],
            )
        assert not Manufacturer.objects.filter(name="Dell").exists()
        assert not ProductModel.objects.exists()
        assert list(Asset.objects.values_list("tag", flat=True)) == [hb_asset.tag]

    def test_warranty_ending_before_the_delivery_is_refused(self, delivered, it_user, hb_floor2):
        line = delivered.lines.get()
        with pytest.raises(ValidationError) as refused:
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                delivered_on=date(2026, 5, 4),
                items=[
                    services.DeliveryItem(
                        line=line, serial_numbers=["SN1", "SN2"], warranty_end=date(2026, 5, 3)
                    )
                ],
            )
        # One message for the line, beside its warranty field.
        assert list(refused.value.message_dict) == [f"warranty_end_{line.pk}"]
        assert len(refused.value.message_dict[f"warranty_end_{line.pk}"]) == 1
        assert not Asset.objects.exists()

    def test_the_serial_number_is_unique_per_manufacturer(
        self, delivered, it_user, hb_floor2, hb_asset
    ):
        lenovo = ManufacturerFactory(name="Lenovo")
        Asset.objects.filter(pk=hb_asset.pk).update(manufacturer=lenovo, serial_number="SN1")
        with pytest.raises(ValidationError):
            services.assets_register_delivery(
                case=delivered,
                actor=it_user,
                location=hb_floor2,
                items=[
                    services.DeliveryItem(
                        line=delivered.lines.get(), serial_numbers=["SN1"], manufacturer="Lenovo"
                    )
                ],
            )
        assert Asset.objects.count() == 1


class TestDeliveryDefaults:
    def test_a_line_naming_a_registered_model_proposes_it(self, make_case, chef, hb, workstation):
        lenovo = ManufacturerFactory(name="Lenovo")
        ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q")
        ProductModelFactory(manufacturer=lenovo, name="ThinkCentre M70q Gen 5")
        ProductModelFactory(manufacturer=ManufacturerFactory(name="Apple"), name="iPad")
        case = make_case(
            chef,
            hb,
            lines=[
                _line(workstation, "Lenovo ThinkCentre M70q Gen 5 med skärm"),
                _line(workstation, "Lenovo-dator, modell enligt avrop"),
                _line(workstation, "Publik dator"),
                _line(workstation, "Surfplatta, Apple eller Lenovo"),
            ],
        )
        lines = list(case.lines.all())
        defaults = selectors.delivery_defaults(lines)
        assert [
            (defaults[x.pk].manufacturer, defaults[x.pk].model, defaults[x.pk].warranty_end)
            for x in lines
        ] == [
            ("Lenovo", "ThinkCentre M70q Gen 5", None),
            ("Lenovo", "", None),
            ("", "", None),
            ("", "", None),  # two manufacturers named: no guess
        ]

    def test_a_line_delivered_before_proposes_what_was_registered(
        self, make_case, chef, admin_user_role, it_user, hb, hb_floor2, workstation
    ):
        m70q = ProductModelFactory(name="ThinkCentre M70q")
        case = make_case(chef, hb, lines=[_line(workstation, "Publik dator", quantity=3)])
        case = _to_delivered(case, admin_user_role)
        line = case.lines.get()
        services.assets_register_delivery(
            case=case,
            actor=it_user,
            location=hb_floor2,
            items=[
                services.DeliveryItem(
                    line=line,
                    serial_numbers=["SN1"],
                    manufacturer="Lenovo",
                    model="ThinkCentre M70q",
                    warranty_end=date(2029, 1, 31),
                )
            ],
        )
        assert selectors.delivery_defaults([line])[line.pk] == selectors.DeliveryDefaults(
            manufacturer=m70q.manufacturer.name, model=m70q.name, warranty_end=date(2029, 1, 31)
        )


def test_days_waiting_counts_calendar_days(make_case, chef, hb):
    from procurement.selectors import case_waits_on, days_waiting

    case = make_case(chef, hb)
    now = case.stage_changed_at + timedelta(days=3)
    assert days_waiting(case, now=now) == 3
    assert case_waits_on(case) == "library"


def test_the_strategist_rejects_a_case_and_it_is_cancelled(make_case, chef, strateg, hb):
    """Rejecting needs the approve permission only, not the pause-and-cancel one."""
    case = make_case(chef, hb, analysis="Fyra platser.")
    for stage in (Stage.ANALYSIS, Stage.APPROVAL):
        case = services.case_transition(case=case, to_stage=stage, actor=chef)
    assert not strateg.has_perm("procurement.hold_case")
    rejected = services.case_decide(
        case=case, actor=strateg, decision=Decision.REJECTED, level=0, comment="Ingen budget."
    )
    assert rejected.stage == Stage.CANCELLED
    assert rejected.cancel_reason == "Ingen budget."
    assert rejected.approvals.get().decision == Decision.REJECTED
    change = rejected.timeline.last()
    assert (change.from_stage, change.to_stage, change.actor) == (
        Stage.APPROVAL,
        Stage.CANCELLED,
        strateg,
    )


def test_a_library_manager_cannot_reject(make_case, chef, hb):
    case = make_case(chef, hb, analysis="Fyra platser.")
    for stage in (Stage.ANALYSIS, Stage.APPROVAL):
        case = services.case_transition(case=case, to_stage=stage, actor=chef)
    with pytest.raises(PermissionDenied):
        services.case_decide(
            case=case, actor=chef, decision=Decision.REJECTED, level=0, comment="Nej."
        )
    case.refresh_from_db()
    assert case.stage == Stage.APPROVAL
