from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from inventory import services
from inventory.history import records_for, rows

pytestmark = pytest.mark.django_db
NB = "\xa0"


def test_rows_are_labelled_and_localised(it_user, hb_asset):
    services.asset_update(
        asset=hb_asset,
        actor=it_user,
        expected_version=1,
        data={
            "purchase_price": Decimal("9990.5"),
            "warranty_end": date(2029, 1, 31),
            "usage": "staff",
        },
    )
    services.asset_change_status(asset=hb_asset, to_status="in_repair", actor=it_user)
    status_entry, edit_entry = records_for(hb_asset)
    from inventory.models import Asset

    swedish = {r.label: (r.old, r.new) for r in rows(Asset, edit_entry)}
    assert swedish["Inköpspris (kr exkl. moms)"] == (f"8{NB}495,00{NB}kr", f"9{NB}990,50{NB}kr")
    assert swedish["Garantin går ut"] == ("–", "2029-01-31")
    assert swedish["Användning"] == ("Publik", "Personal")
    assert {r.label: (r.old, r.new) for r in rows(Asset, status_entry)}["Status"] == (
        "I drift",
        "På service",
    )
    with translation.override("en"):
        english = {r.label: (r.old, r.new) for r in rows(Asset, status_entry)}
    assert english["Status"] == ("In use", "In repair")


def test_history_is_shown_newest_first_on_the_page(it_user, hb_asset, client_for):
    services.asset_update(
        asset=hb_asset, actor=it_user, expected_version=1, data={"notes": "Första"}
    )
    services.asset_update(
        asset=hb_asset, actor=it_user, expected_version=2, data={"notes": "Andra"}
    )
    html = client_for(it_user).get("/inventory/assets/HB-PC-01/").content.decode()
    history = html[html.index('id="history-heading"') :]
    newest = history.index("<td>Första</td><td>Andra</td>")
    oldest = history.index("<td>–</td><td>Första</td>")
    assert newest < oldest
