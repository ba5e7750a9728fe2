"""The case page in a real browser: the next step is in the first screen, on a desktop
and on a phone, and the page never scrolls sideways."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from inventory.models import Category, Library
from procurement import services

from .test_cases import rules  # noqa: F401 -- the rule set fixture


@pytest.mark.parametrize(("width", "height"), [(1280, 900), (390, 844)])
def test_the_move_form_is_in_the_first_screen(
    rules,  # noqa: F811
    login,
    live_server,
    page,
    axe_check,
    width,
    height,
):
    chef = get_user_model().objects.get(username="chef")
    library = Library.objects.filter(profiles__user=chef).order_by("code").first()
    case = services.case_create(
        actor=chef,
        library=library,
        title="Nya publika datorer",
        need="Datorerna vid informationsdisken är för gamla.",
        category=Category.objects.order_by("code").first(),
        estimated_value=Decimal("180000"),
        analysis="Åtta platser behöver nya datorer.",
    )
    page.set_viewport_size({"width": width, "height": height})
    login("chef")
    page.goto(live_server.url + case.get_absolute_url())

    form = page.locator("form[action$='/move/']")
    box = form.bounding_box()
    assert box is not None
    assert box["y"] < height, f"the move form starts at {box['y']} px, below the first screen"
    scroll = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll[0] <= scroll[1], f"the page scrolls sideways: {scroll}"
    axe_check(f"the case page at {width} px")
