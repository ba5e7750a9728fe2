"""The library manager names the framework agreement that covers the need (only one
joined and in force); IT registers a new supplier with the quote it comes with."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from inventory.history import records_for
from procurement import services
from procurement.choices import Stage
from procurement.models import FrameworkAgreement, Quote, Supplier

pytestmark = pytest.mark.django_db


def url(name, case):
    return reverse(f"procurement:{name}", kwargs={"reference": case.url_reference})


@pytest.fixture
def hb_case(make_case, chef, hb):
    return make_case(chef, hb)


@pytest.fixture
def agreements(framework):
    """The joined one in force (`framework`), one expired and one not joined."""
    today = timezone.localdate()
    common = {"body": "adda", "call_off_method": "ranking"}
    expired = FrameworkAgreement.objects.create(
        name="Datorer 2019",
        valid_from=date(2019, 1, 1),
        valid_to=today - timedelta(days=1),
        **common,
    )
    not_joined = FrameworkAgreement.objects.create(
        name="Skrivare (ej anslutna)",
        valid_from=date(2020, 1, 1),
        valid_to=today + timedelta(days=365),
        joined=False,
        **common,
    )
    return {"open": framework, "expired": expired, "not_joined": not_joined}


def edit_data(case, **overrides):
    return {
        "title": case.title,
        "need": case.need,
        "analysis": case.analysis,
        "category": case.category_id,
        "estimated_value": str(case.estimated_value),
        "funding": case.funding,
        "version": case.version,
        **overrides,
    }


class TestAgreementOfTheNeed:
    def test_the_manager_names_the_agreement_on_the_edit_page(
        self, hb_case, chef, client_for, agreements
    ):
        client = client_for(chef)
        form = client.get(url("case_update", hb_case)).context["form"]
        assert list(form.fields["framework_agreement"].queryset) == [agreements["open"]]
        response = client.post(
            url("case_update", hb_case),
            edit_data(hb_case, framework_agreement=agreements["open"].pk),
        )
        assert response.status_code == 302
        hb_case.refresh_from_db()
        assert hb_case.framework_agreement == agreements["open"]
        [record] = [r for r in records_for(hb_case) if "framework_agreement" in r.changes]
        assert record.changes["framework_agreement"] == [None, "Surfplattor 2025"]

    def test_the_create_form_offers_the_open_agreements(self, chef, client_for, agreements):
        form = client_for(chef).get(reverse("procurement:case_create")).context["form"]
        assert list(form.fields["framework_agreement"].queryset) == [agreements["open"]]

    @pytest.mark.parametrize("which", ["expired", "not_joined"])
    def test_an_agreement_not_open_is_refused_by_the_service(
        self, hb_case, chef, agreements, which
    ):
        with pytest.raises(ValidationError) as refused:
            services.case_update(
                case=hb_case,
                actor=chef,
                expected_version=hb_case.version,
                data={"framework_agreement": agreements[which]},
            )
        assert "framework_agreement" in refused.value.message_dict
        hb_case.refresh_from_db()
        assert hb_case.framework_agreement is None

    def test_case_create_refuses_an_expired_agreement(self, make_case, chef, hb, agreements):
        with pytest.raises(ValidationError) as refused:
            make_case(chef, hb, framework_agreement=agreements["expired"])
        assert "framework_agreement" in refused.value.message_dict

    def test_an_agreement_named_before_it_expired_may_stay(self, hb_case, it_user, agreements):
        expired = agreements["expired"]
        with pytest.raises(ValidationError):
            services.case_update(
                case=hb_case,
                actor=it_user,
                expected_version=hb_case.version,
                data={"framework_agreement": expired},
            )
        # Named while it was in force, then expired: saving the case again keeps it.
        hb_case.framework_agreement = expired
        hb_case.save()
        case = services.case_update(
            case=hb_case,
            actor=it_user,
            expected_version=hb_case.version,
            data={"framework_agreement": expired, "title": "Ny rubrik"},
        )
        assert (case.title, case.framework_agreement) == ("Ny rubrik", expired)


@pytest.fixture
def sourcing_case(hb_case, admin_user_role):
    for stage in (Stage.ANALYSIS, Stage.APPROVAL, Stage.SPECIFICATION, Stage.SOURCING):
        hb_case = services.case_transition(
            case=hb_case, to_stage=stage, actor=admin_user_role, override_reason="test"
        )
    return hb_case


def quote_data(**overrides):
    return {
        "supplier": "",
        "new_supplier_name": "",
        "new_supplier_organisation_number": "",
        "amount": "45000",
        "received_on": timezone.localdate().isoformat(),
        "valid_until": "",
        "notes": "",
        **overrides,
    }


class TestNewSupplierWithTheQuote:
    def test_it_adds_a_quote_from_a_new_supplier(self, sourcing_case, it_user, client_for):
        response = client_for(it_user).post(
            url("quote_create", sourcing_case),
            quote_data(
                new_supplier_name="Biblioteksteknik AB",
                new_supplier_organisation_number="5560360793",
            ),
        )
        assert response.status_code == 302
        supplier = Supplier.objects.get(name="Biblioteksteknik AB")
        assert supplier.organisation_number == "556036-0793"
        quote = sourcing_case.quotes.get()
        assert (quote.supplier, quote.amount) == (supplier, Decimal("45000"))

    def test_a_registered_organisation_number_is_refused_on_its_field(
        self, sourcing_case, it_user, client_for, suppliers
    ):
        Supplier.objects.filter(pk=suppliers[0].pk).update(organisation_number="5560360793")
        response = client_for(it_user).post(
            url("quote_create", sourcing_case),
            quote_data(
                new_supplier_name="Atea (ny)",
                new_supplier_organisation_number="556036-0793",
            ),
        )
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert list(errors) == ["new_supplier_organisation_number"]
        [message] = errors["new_supplier_organisation_number"]
        assert "556036-0793" in message and "Atea Sverige AB" in message
        assert message in response.content.decode().replace("&quot;", '"')
        assert not Supplier.objects.filter(name="Atea (ny)").exists()
        assert not Quote.objects.exists()

    def test_a_registered_name_is_refused(self, sourcing_case, it_user, suppliers):
        with pytest.raises(ValidationError) as refused:
            services.quote_add(
                case=sourcing_case,
                actor=it_user,
                new_supplier_name="atea sverige ab",
                new_supplier_organisation_number="212000-0142",
                amount=Decimal(1),
                received_on=timezone.localdate(),
            )
        assert list(refused.value.message_dict) == ["new_supplier_name"]
        assert Supplier.objects.count() == 3

    def test_a_wrong_check_digit_is_refused_on_the_form(self, sourcing_case, it_user, client_for):
        response = client_for(it_user).post(
            url("quote_create", sourcing_case),
            quote_data(new_supplier_name="Fel AB", new_supplier_organisation_number="5591234567"),
        )
        assert response.status_code == 400
        assert "new_supplier_organisation_number" in response.context["form"].errors
        assert not Supplier.objects.filter(name="Fel AB").exists()

    def test_a_new_supplier_needs_both_name_and_number(self, sourcing_case, it_user):
        with pytest.raises(ValidationError) as refused:
            services.quote_add(
                case=sourcing_case,
                actor=it_user,
                new_supplier_name="Utan nummer AB",
                amount=Decimal(1),
                received_on=timezone.localdate(),
            )
        assert list(refused.value.message_dict) == ["new_supplier_organisation_number"]
        assert not Supplier.objects.filter(name="Utan nummer AB").exists()

    def test_a_supplier_is_chosen_or_given_not_both_nor_neither(
        self, sourcing_case, it_user, client_for, suppliers
    ):
        client = client_for(it_user)
        both = client.post(
            url("quote_create", sourcing_case),
            quote_data(
                supplier=suppliers[0].pk,
                new_supplier_name="Ny AB",
                new_supplier_organisation_number="212000-0142",
            ),
        )
        neither = client.post(url("quote_create", sourcing_case), quote_data())
        assert (both.status_code, neither.status_code) == (400, 400)
        assert list(both.context["form"].errors) == ["supplier"]
        assert list(neither.context["form"].errors) == ["supplier"]
        assert not Quote.objects.exists() and Supplier.objects.count() == 3

    def test_the_form_shows_the_new_supplier_fields(self, sourcing_case, it_user, client_for):
        page = client_for(it_user).get(url("quote_create", sourcing_case)).content.decode()
        assert 'name="new_supplier_name"' in page
        assert 'name="new_supplier_organisation_number"' in page

    def test_a_supplier_on_its_own_needs_the_supplier_permission(self, it_user, admin_user_role):
        with pytest.raises(PermissionDenied):
            services.supplier_create(
                actor=it_user, name="Egen AB", organisation_number="212000-0142"
            )
        made = services.supplier_create(
            actor=admin_user_role, name="Egen AB", organisation_number="2120000142"
        )
        assert made.organisation_number == "212000-0142"
