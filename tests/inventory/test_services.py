from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from inventory import services
from inventory.choices import AssetStatus, ChangeAction, ChangeSource, DisposalMethod
from inventory.history import records_for
from inventory.models import Asset, ChangeRecord
from tests.factories import AssetFactory, CategoryFactory, FeatureFactory

pytestmark = pytest.mark.django_db


def create(actor, location, category, **fields):
    return services.asset_create(
        actor=actor,
        tag=fields.pop("tag", "HB-PC-10"),
        library=location.library,
        location=location,
        category=category,
        **fields,
    )


class TestAssetCreate:
    def test_creates_asset_with_computed_replacement_date_and_history(
        self, it_user, hb_floor2, workstation
    ):
        asset = create(
            it_user,
            hb_floor2,
            workstation,
            purchase_date=date(2024, 2, 29),
            purchase_price=Decimal("8495.00"),
            features=[FeatureFactory()],
        )
        asset.refresh_from_db()
        assert asset.replacement_due == date(2028, 2, 29)
        assert asset.replacement_due_manual is False
        assert asset.created_by == it_user
        assert asset.version == 1
        [entry] = records_for(asset)
        assert entry.action == ChangeAction.CREATED
        assert entry.actor == it_user
        assert entry.changes["tag"] == [None, "HB-PC-10"]
        assert entry.changes["purchase_price"] == [None, "8495.00"]
        assert entry.changes["features"] == [None, ["Skärmläsare"]]

    def test_lifecycle_month_end_is_clamped(self, it_user, hb_floor2):
        scanner = CategoryFactory(
            code="scanner", name_sv="Skanner", name_en="Scanner", lifecycle_months=60
        )
        asset = create(it_user, hb_floor2, scanner, purchase_date=date(2023, 8, 31))
        assert asset.replacement_due == date(2028, 8, 31)
        asset2 = create(it_user, hb_floor2, scanner, tag="X2", purchase_date=date(2023, 1, 31))
        assert asset2.replacement_due == date(2028, 1, 31)
        other = CategoryFactory(code="vr_headset", name_sv="VR", name_en="VR", lifecycle_months=37)
        asset3 = create(it_user, hb_floor2, other, tag="X3", purchase_date=date(2023, 1, 31))
        assert asset3.replacement_due == date(2026, 2, 28)

    def test_replacement_date_set_by_hand_is_kept(self, it_user, hb_floor2, workstation):
        asset = create(
            it_user,
            hb_floor2,
            workstation,
            purchase_date=date(2024, 1, 1),
            replacement_due=date(2026, 6, 30),
        )
        assert asset.replacement_due == date(2026, 6, 30)
        assert asset.replacement_due_manual is True

    def test_manufacturer_follows_model(self, it_user, hb_floor2, workstation):
        from tests.factories import ProductModelFactory

        model = ProductModelFactory()
        asset = create(it_user, hb_floor2, workstation, model=model)
        assert asset.manufacturer == model.manufacturer

    @pytest.mark.parametrize(
        "status",
        [AssetStatus.IN_REPAIR, AssetStatus.RETIRED, AssetStatus.ON_LOAN, AssetStatus.DISPOSED],
    )
    def test_cannot_be_created_in_a_later_status(self, it_user, hb_floor2, workstation, status):
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, status=status)
        assert "status" in exc.value.message_dict
        assert not Asset.objects.exists()

    def test_negative_price_is_refused_and_nothing_written(self, it_user, hb_floor2, workstation):
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, purchase_price=Decimal("-0.01"))
        assert "purchase_price" in exc.value.message_dict
        assert not Asset.objects.exists()
        assert not ChangeRecord.objects.exists()

    def test_zero_price_is_allowed(self, it_user, hb_floor2, workstation):
        assert create(it_user, hb_floor2, workstation, purchase_price=Decimal("0")).pk

    def test_location_must_be_in_the_library(self, it_user, hb_floor2, no_public, workstation):
        with pytest.raises(ValidationError) as exc:
            services.asset_create(
                actor=it_user,
                tag="A1",
                library=hb_floor2.library,
                location=no_public,
                category=workstation,
            )
        assert "location" in exc.value.message_dict

    def test_serial_unique_per_manufacturer(self, it_user, hb_floor2, workstation):
        from tests.factories import ManufacturerFactory

        lenovo, hp = ManufacturerFactory(name="Lenovo"), ManufacturerFactory(name="HP")
        create(it_user, hb_floor2, workstation, tag="A1", manufacturer=lenovo, serial_number="S1")
        create(it_user, hb_floor2, workstation, tag="A2", manufacturer=hp, serial_number="S1")
        with pytest.raises(ValidationError):
            create(
                it_user, hb_floor2, workstation, tag="A3", manufacturer=lenovo, serial_number="S1"
            )
        # Blank serial numbers are not compared.
        create(it_user, hb_floor2, workstation, tag="A4", manufacturer=lenovo)
        create(it_user, hb_floor2, workstation, tag="A5", manufacturer=lenovo)

    @pytest.mark.parametrize("tag", ["add", "BULK", "a b", "-x", "å1", "x/y"])
    def test_bad_tags(self, it_user, hb_floor2, workstation, tag):
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, tag=tag)
        assert "tag" in exc.value.message_dict

    def test_leased_needs_lease_end_and_trial_needs_return_date(
        self, it_user, hb_floor2, workstation
    ):
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, ownership="leased")
        assert "lease_end" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, tag="B", ownership="trial")
        assert "trial_return_by" in exc.value.message_dict

    def test_kit_components(self, it_user, hb_floor2, workstation, vr_kit):
        kit = create(it_user, hb_floor2, vr_kit, tag="HB-VR-01")
        pc = create(it_user, hb_floor2, workstation, tag="HB-VR-04", parent=kit)
        assert list(kit.components.all()) == [pc]
        with pytest.raises(ValidationError) as exc:
            create(it_user, hb_floor2, workstation, tag="X", parent=pc)
        assert "parent" in exc.value.message_dict


class TestAssetUpdate:
    def test_records_each_changed_field_and_bumps_version(self, it_user, hb_asset, hb_store):
        services.asset_update(
            asset=hb_asset,
            actor=it_user,
            expected_version=1,
            data={
                "location": hb_store,
                "hostname": "hb-pub-01",
                "purchase_price": Decimal("8495.00"),
            },
        )
        hb_asset.refresh_from_db()
        assert hb_asset.version == 2
        assert hb_asset.location == hb_store
        [entry] = records_for(hb_asset)
        assert entry.changes == {
            "location": ["Plan 2 – vid vuxeninformationen", "Förråd IT"],
            "hostname": ["", "hb-pub-01"],
        }
        assert entry.actor == it_user
        assert entry.source == ChangeSource.WEB

    def test_saving_nothing_new_records_nothing(self, it_user, hb_asset):
        services.asset_update(asset=hb_asset, actor=it_user, expected_version=1, data={"notes": ""})
        hb_asset.refresh_from_db()
        assert hb_asset.version == 1
        assert not records_for(hb_asset).exists()

    def test_second_of_two_concurrent_saves_is_refused(self, it_user, strateg, hb_asset):
        first = Asset.objects.get(pk=hb_asset.pk)
        second = Asset.objects.get(pk=hb_asset.pk)
        services.asset_update(
            asset=first, actor=it_user, expected_version=first.version, data={"notes": "Första"}
        )
        with pytest.raises(services.ConcurrentEditError):
            services.asset_update(
                asset=second,
                actor=strateg,
                expected_version=second.version,
                data={"notes": "Andra"},
            )
        hb_asset.refresh_from_db()
        assert hb_asset.notes == "Första"
        assert hb_asset.version == 2
        assert records_for(hb_asset).count() == 1

    def test_status_cannot_be_edited_as_a_field(self, it_user, hb_asset):
        with pytest.raises(ValueError):
            services.asset_update(
                asset=hb_asset,
                actor=it_user,
                expected_version=1,
                data={"status": AssetStatus.DISPOSED},
            )

    def test_new_purchase_date_moves_computed_replacement(self, it_user, hb_asset):
        services.asset_update(
            asset=hb_asset,
            actor=it_user,
            expected_version=1,
            data={"purchase_date": date(2025, 3, 1), "replacement_due": None},
        )
        hb_asset.refresh_from_db()
        assert hb_asset.replacement_due == date(2029, 3, 1)
        assert not hb_asset.replacement_due_manual

    def test_lifecycle_change_moves_computed_dates_only(self, it_user, hb_floor2, workstation):
        computed = create(it_user, hb_floor2, workstation, tag="A", purchase_date=date(2024, 1, 1))
        manual = create(
            it_user,
            hb_floor2,
            workstation,
            tag="B",
            purchase_date=date(2024, 1, 1),
            replacement_due=date(2030, 1, 1),
        )
        count = services.category_set_lifecycle(category=workstation, months=36, actor=it_user)
        assert count == 1
        computed.refresh_from_db()
        manual.refresh_from_db()
        assert computed.replacement_due == date(2027, 1, 1)
        assert manual.replacement_due == date(2030, 1, 1)
        assert records_for(computed).first().changes == {
            "replacement_due": ["2028-01-01", "2027-01-01"]
        }


ALLOWED = {
    ("ordered", "in_stock"),
    ("in_stock", "in_use"),
    ("in_use", "in_stock"),
    ("in_use", "in_repair"),
    ("in_repair", "in_use"),
    ("in_stock", "on_loan"),
    ("in_use", "on_loan"),
    ("in_stock", "retired"),
    ("in_use", "retired"),
    ("in_repair", "retired"),
    ("retired", "disposed"),
}


class TestStatusMoves:
    @pytest.mark.parametrize("source", [s for s in AssetStatus.values if s != "on_loan"])
    @pytest.mark.parametrize("target", AssetStatus.values)
    def test_every_pair_follows_the_table(self, it_user, hb_floor2, source, target):
        category = CategoryFactory(stores_data=False)
        asset = AssetFactory(
            library=hb_floor2.library, location=hb_floor2, status=source, category=category
        )
        details = {}
        if target == "on_loan":
            details = {"borrower": "Skolklass 7B", "loan_due": date.today() + timedelta(days=7)}
        if target == "disposed":
            details = {"disposal_method": DisposalMethod.RECYCLED}
        if (source, target) in ALLOWED:
            services.asset_change_status(asset=asset, to_status=target, actor=it_user, **details)
            asset.refresh_from_db()
            assert asset.status == target
            assert records_for(asset).first().changes["status"] == [source, target]
        else:
            with pytest.raises(ValidationError):
                services.asset_change_status(
                    asset=asset, to_status=target, actor=it_user, **details
                )
            asset.refresh_from_db()
            assert asset.status == source
            assert not records_for(asset).exists()

    def test_loan_returns_only_to_where_it_was(self, it_user, hb_asset):
        services.asset_change_status(
            asset=hb_asset,
            to_status="on_loan",
            actor=it_user,
            borrower="Seniorcaféet",
            loan_due=date.today(),
        )
        hb_asset.refresh_from_db()
        assert (hb_asset.status_before_loan, hb_asset.loan_borrower) == ("in_use", "Seniorcaféet")
        with pytest.raises(ValidationError):
            services.asset_change_status(asset=hb_asset, to_status="in_stock", actor=it_user)
        services.asset_change_status(asset=hb_asset, to_status="in_use", actor=it_user)
        hb_asset.refresh_from_db()
        assert hb_asset.status == "in_use"
        assert hb_asset.loan_borrower == "" and hb_asset.loan_due is None

    def test_loan_needs_borrower_and_due_date(self, it_user, hb_asset):
        with pytest.raises(ValidationError) as exc:
            services.asset_change_status(asset=hb_asset, to_status="on_loan", actor=it_user)
        assert set(exc.value.message_dict) == {"borrower", "loan_due"}
        with pytest.raises(ValidationError) as exc:
            services.asset_change_status(
                asset=hb_asset,
                to_status="on_loan",
                actor=it_user,
                borrower="X",
                loan_due=date.today() - timedelta(days=1),
            )
        assert "loan_due" in exc.value.message_dict

    def test_disposing_a_computer_needs_a_wipe_certificate(self, it_user, hb_asset):
        services.asset_change_status(asset=hb_asset, to_status="retired", actor=it_user)
        with pytest.raises(ValidationError) as exc:
            services.asset_change_status(
                asset=hb_asset, to_status="disposed", actor=it_user, disposal_method="recycled"
            )
        assert "wipe_certificate" in exc.value.message_dict
        services.asset_change_status(
            asset=hb_asset,
            to_status="disposed",
            actor=it_user,
            disposal_method="recycled",
            wipe_certificate="WIPE-2026-17",
            on=date(2026, 11, 20),
        )
        hb_asset.refresh_from_db()
        assert hb_asset.status == "disposed"
        assert hb_asset.disposed_on == date(2026, 11, 20)
        assert hb_asset.wipe_certificate == "WIPE-2026-17"

    def test_stale_version_is_refused(self, it_user, hb_asset):
        with pytest.raises(services.ConcurrentEditError):
            services.asset_change_status(
                asset=hb_asset, to_status="in_repair", actor=it_user, expected_version=0
            )
        hb_asset.refresh_from_db()
        assert hb_asset.status == "in_use"


class TestBulk:
    def test_bulk_move_moves_all_and_records_each(self, it_user, hb_floor2, no_public, workstation):
        assets = [
            AssetFactory(library=hb_floor2.library, location=hb_floor2, category=workstation)
            for _ in range(3)
        ]
        count = services.assets_bulk_move(
            assets=Asset.objects.filter(pk__in=[a.pk for a in assets]),
            location=no_public,
            actor=it_user,
            confirmed_library_changes=[a.tag for a in assets],
        )
        assert count == 3
        for asset in assets:
            asset.refresh_from_db()
            assert (asset.library, asset.location, asset.version) == (
                no_public.library,
                no_public,
                2,
            )
            [entry] = records_for(asset)
            assert entry.source == ChangeSource.BULK
            assert entry.changes == {
                "library": ["Stadsbiblioteket", "Norrbiblioteket"],
                "location": ["Plan 2 – vid vuxeninformationen", "Publika datorer"],
            }

    def test_bulk_status_is_all_or_nothing(self, it_user, hb_floor2, workstation):
        ok = AssetFactory(
            tag="A-1",
            library=hb_floor2.library,
            location=hb_floor2,
            category=workstation,
            status="in_use",
        )
        stuck = AssetFactory(
            tag="A-2",
            library=hb_floor2.library,
            location=hb_floor2,
            category=workstation,
            status="ordered",
        )
        with pytest.raises(ValidationError) as exc:
            services.assets_bulk_change_status(
                assets=Asset.objects.filter(pk__in=[ok.pk, stuck.pk]),
                to_status="in_repair",
                actor=it_user,
            )
        assert any("A-2" in message for message in exc.value.messages)
        ok.refresh_from_db()
        assert ok.status == "in_use"
        assert not ChangeRecord.objects.exists()

    def test_bulk_status_changes_all(self, it_user, hb_floor2, workstation):
        assets = [
            AssetFactory(
                library=hb_floor2.library, location=hb_floor2, category=workstation, status="in_use"
            )
            for _ in range(4)
        ]
        count = services.assets_bulk_change_status(
            assets=Asset.objects.all(), to_status="in_repair", actor=it_user, comment="Virus"
        )
        assert count == 4
        assert set(Asset.objects.values_list("status", flat=True)) == {"in_repair"}
        assert ChangeRecord.objects.filter(source="bulk", comment="Virus").count() == 4
        assert all(a.version == 2 for a in Asset.objects.all())
        del assets

    def test_loans_and_disposals_are_not_bulk(self, it_user, hb_asset):
        for target in ("on_loan", "disposed"):
            with pytest.raises(ValidationError):
                services.assets_bulk_change_status(
                    assets=Asset.objects.all(), to_status=target, actor=it_user
                )


def test_maintenance_negative_cost_refused(it_user, hb_asset):
    with pytest.raises(ValidationError) as exc:
        services.maintenance_add(
            asset=hb_asset,
            actor=it_user,
            date=date(2026, 1, 1),
            kind="repair",
            description="Ny disk",
            cost=Decimal("-1"),
        )
    assert "cost" in exc.value.message_dict
    entry = services.maintenance_add(
        asset=hb_asset,
        actor=it_user,
        date=date(2026, 1, 1),
        kind="repair",
        description="Ny disk",
        cost=Decimal("1290"),
    )
    assert list(hb_asset.maintenance.all()) == [entry]
