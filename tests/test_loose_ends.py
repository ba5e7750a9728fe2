"""The pages and settings around the apps: logging out, the password pages, the language
after login, the rule set's admin form, the favicon, the log, the accessibility statement."""

import io
import logging
import os
import re
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from config.views import ACCESSIBILITY_REVIEWED
from inventory import roles
from inventory.models import Profile
from procurement.admin_forms import PurchasingRuleSetAdminForm, TierRowsField
from procurement.models import PurchasingRuleSet
from tests.factories import make_role_user

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"


def swedish(text: str) -> str:
    with translation.override("sv"):
        return gettext(text)


def login(client: Client, username: str, password: str = "pw"):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- logging out ---------------------------------------------------------------------


def test_logging_out_says_so_on_the_login_page(chef):
    client = Client()
    client.force_login(chef)
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert "registration/login.html" in [t.name for t in response.templates]
    assert SESSION_KEY not in client.session
    page = response.content.decode()
    message = re.search(r'<p class="message message--success" role="status">(.*?)</p>', page)
    assert message is not None, page
    assert message.group(1) == swedish("You are logged out.")
    # Said once: the next page no longer says it.
    assert swedish("You are logged out.") not in client.get("/accounts/login/").content.decode()


# --- the password pages --------------------------------------------------------------


def _ours(response, name: str) -> None:
    """The page is rendered from Inventera's template of that name, in base.html, and
    nothing of Django's admin shows."""
    used = {t.name: t for t in response.templates}
    assert name in used, list(used)
    assert Path(used[name].origin.name) == TEMPLATES_DIR / name
    assert "base.html" in used
    page = response.content.decode()
    assert "Django" not in page
    assert 'class="site-header"' in page


@pytest.mark.parametrize(
    ("url", "template", "logged_in"),
    [
        ("/accounts/password/", "registration/password_change_form.html", True),
        ("/accounts/password/done/", "registration/password_change_done.html", True),
        ("/accounts/password/reset/", "registration/password_reset_form.html", False),
        ("/accounts/password/reset/sent/", "registration/password_reset_done.html", False),
        ("/accounts/password/reset/MQ/x-y/", "registration/password_reset_confirm.html", False),
        ("/accounts/password/reset/done/", "registration/password_reset_complete.html", False),
    ],
)
def test_the_password_pages_are_inventeras(chef, url, template, logged_in):
    client = Client()
    if logged_in:
        client.force_login(chef)
    response = client.get(url)
    assert response.status_code == 200
    _ours(response, template)


def test_the_user_menu_links_to_the_password_change_and_the_login_page_to_the_reset(chef):
    client = Client()
    login_page = client.get("/accounts/login/").content.decode()
    assert f'<a href="/accounts/password/reset/">{swedish("Forgot your password?")}</a>' in (
        login_page
    )
    client.force_login(chef)
    page = client.get("/").content.decode()
    assert f'<a href="/accounts/password/">{swedish("Change password")}</a>' in page


def test_changing_the_password(chef):
    client = Client()
    client.force_login(chef)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw",
            "new_password1": "Lånekort-2026!",
            "new_password2": "Lånekort-2026!",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/done/"
    chef.refresh_from_db()
    assert chef.check_password("Lånekort-2026!")


def test_a_wrong_old_password_is_said_on_inventeras_page(chef):
    client = Client()
    client.force_login(chef)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "nej",
            "new_password1": "Lånekort-2026!",
            "new_password2": "Lånekort-2026!",
        },
    )
    assert response.status_code == 200
    _ours(response, "registration/password_change_form.html")
    assert 'id="error-summary"' in response.content.decode()


def test_resetting_a_forgotten_password_by_e_mail(chef, settings):
    settings.SITE_URL = "https://inventera.exempelkommunen.se/"
    chef.email = "chef@exempelkommunen.se"
    chef.save()
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "chef@exempelkommunen.se"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    [message] = mail.outbox
    assert message.to == ["chef@exempelkommunen.se"]
    assert message.subject == swedish("Choose a new password for Inventera")
    assert "Django" not in message.subject + message.body
    assert "chef" in message.body
    link = re.search(
        r"https://inventera\.exempelkommunen\.se(/accounts/password/reset/\S+/)", message.body
    )
    assert link is not None, message.body

    response = client.get(link.group(1), follow=True)
    _ours(response, "registration/password_reset_confirm.html")
    assert 'name="new_password1"' in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Lånekort-2026!", "new_password2": "Lånekort-2026!"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert login(Client(), "chef", "Lånekort-2026!").status_code == 302


def test_no_mail_for_an_unknown_address_and_the_same_answer(chef):
    response = Client().post("/accounts/password/reset/", {"email": "okand@example.se"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


# --- the language after the next login -----------------------------------------------


def _page_language(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return re.search(r'<html lang="(\w+)">', response.content.decode()).group(1)


def test_the_language_switch_saves_the_choice_in_the_profile(chef):
    client = Client()
    client.force_login(chef)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert Profile.objects.get(user=chef).language == "en"


def test_the_chosen_language_comes_back_at_the_next_login(chef):
    Profile.objects.filter(user=chef).update(language="en")
    client = Client()  # another day or another computer: no language cookie
    response = login(client, "chef")
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert _page_language(client) == "en"


def test_the_previous_users_language_does_not_carry_over(chef, it_user):
    Profile.objects.filter(user=it_user).update(language="en")
    client = Client()
    login(client, "it")
    assert _page_language(client) == "en"
    client.post("/accounts/logout/")
    response = login(client, "chef")  # Profile.language is Swedish
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "sv"
    assert _page_language(client) == "sv"


def test_a_language_chosen_on_the_login_page_is_kept(chef):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = login(client, "chef")
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert Profile.objects.get(user=chef).language == "en"
    assert _page_language(client) == "en"


def test_a_user_without_a_profile_gets_swedish(db):
    user = make_role_user(roles.IT_STAFF, "utan")
    Profile.objects.filter(user=user).delete()
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = login(client, "utan")
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "sv"


# --- the rule set's admin form -------------------------------------------------------


def _admin_data(**rows) -> dict:
    data = {
        "name": "Riktlinjer 2027",
        "effective_from": "2027-01-01",
        "notes": "",
        "direct_award_limit": "700000",
        "direct_award_limit_confirmed": "on",
        "direct_award_limit_source": "LOU 19 a kap. 2 §\n  (SFS 2016:1145)",
        "documentation_threshold": "100000",
        "documentation_threshold_confirmed": "on",
        "documentation_threshold_source": "LOU 19 a kap. 11 §",
        "eu_threshold": "",
        "eu_threshold_eur": "216000",
        "eu_threshold_source": "",
        "_save": "Spara",
    }
    for name, values in rows.items():
        data[f"{name}-rows"] = str(len(values))
        for index, (low, item) in enumerate(values):
            data[f"{name}-{index}-from"] = low
            data[f"{name}-{index}-value"] = item
    return data


@pytest.fixture
def admin_client(admin_user_role):
    client = Client()
    client.force_login(admin_user_role)
    return client


def test_the_admin_saves_tier_rows_as_the_models_json(admin_client):
    data = _admin_data(
        quote_tiers=[("100 000", "3"), ("0", "1"), ("", ""), ("", "")],
        approval_levels=[
            ("0", "Bibliotekschef"),
            ("100000", "Kultur- och fritidschef"),
            ("700\u00a0000,00", " Kultur- och fritidsnämnden "),
            ("", ""),
        ],
    )
    response = admin_client.post("/admin/procurement/purchasingruleset/add/", data)
    assert response.status_code == 302, response.content.decode()
    saved = PurchasingRuleSet.objects.get(name="Riktlinjer 2027")
    assert saved.quote_tiers == [["0", 1], ["100000", 3]]
    assert saved.approval_levels == [
        ["0", "Bibliotekschef"],
        ["100000", "Kultur- och fritidschef"],
        ["700000", "Kultur- och fritidsnämnden"],
    ]
    assert saved.direct_award_limit_source == "LOU 19 a kap. 2 § (SFS 2016:1145)"
    thresholds = saved.thresholds()
    assert thresholds.quote_tiers == ((Decimal("0"), 1), (Decimal("100000"), 3))


def test_the_admin_shows_the_stored_tiers_as_rows_and_the_sources_wide(admin_client, ruleset):
    response = admin_client.get(f"/admin/procurement/purchasingruleset/{ruleset.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    for index, (low, item) in enumerate(ruleset.approval_levels):
        name = f"approval_levels-{index}-from"
        assert f'name="{name}" id="id_{name}" value="{low}"' in page
        assert f'name="approval_levels-{index}-value"' in page
        assert f'value="{item}"' in page
    # Three empty rows after the stored ones, to add more.
    assert 'name="approval_levels-rows" value="6"' in page
    assert 'name="quote_tiers-rows" value="5"' in page
    assert 'type="number" name="quote_tiers-1-value" id="id_quote_tiers-1-value" value="3"' in page
    assert re.search(r'<textarea name="direct_award_limit_source"[^>]*class="source-text"', page)
    assert "/static/css/admin.css" in page
    # Saved as shown, the same JSON.
    data = _admin_data(quote_tiers=ruleset.quote_tiers, approval_levels=ruleset.approval_levels)
    data.update(name=ruleset.name, effective_from="2026-01-01")
    url = f"/admin/procurement/purchasingruleset/{ruleset.pk}/change/"
    assert admin_client.post(url, data).status_code == 302
    before = (ruleset.quote_tiers, ruleset.approval_levels)
    ruleset.refresh_from_db()
    assert (ruleset.quote_tiers, ruleset.approval_levels) == before


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([("100000", "")], "Row %(row)s: fill in both the amount and the value, or neither."),
        ([("", "2")], "Row %(row)s: fill in both the amount and the value, or neither."),
        ([("-1", "2")], "Row %(row)s: the amount must be a number of at least 0."),
        ([("mycket", "2")], "Row %(row)s: the amount must be a number of at least 0."),
        (
            [("0", "0")],
            "Row %(row)s: the number of quotes must be a whole number of at least 1.",
        ),
        (
            [("0", "1,5")],
            "Row %(row)s: the number of quotes must be a whole number of at least 1.",
        ),
        ([("0", "1"), ("0", "3")], "Each amount may be given only once."),
    ],
)
def test_tier_rows_that_do_not_make_tiers_are_refused(rows, error):
    field = TierRowsField(value_label="Offerter", whole=True)
    with pytest.raises(ValidationError) as raised:
        field.clean(rows)
    expected = swedish(error) % {"row": len(rows)} if "%(row)s" in error else swedish(error)
    assert expected in raised.value.messages


def test_the_admin_form_says_which_row_is_wrong(ruleset):
    data = _admin_data(quote_tiers=[("0", "1"), ("50000", "")], approval_levels=[])
    form = PurchasingRuleSetAdminForm(data=data)
    assert not form.is_valid()
    assert form.errors["quote_tiers"] == [
        swedish("Row %(row)s: fill in both the amount and the value, or neither.") % {"row": 2}
    ]


def test_a_forged_row_count_is_capped():
    field = TierRowsField(value_label="Godkännare")
    rows = field.widget.value_from_datadict({"x-rows": "1000000"}, {}, "x")
    assert len(rows) == 50
    assert field.clean(rows) == []


# --- the favicon ---------------------------------------------------------------------


def test_favicon_ico_points_to_the_svg_icon_for_anyone():
    client = Client()
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content)
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


# --- the log -------------------------------------------------------------------------


def _streams(logger_name: str):
    """The stream handlers of Inventera's logging a record of this logger reaches (not
    pytest's own capturing handlers)."""
    logger = logging.getLogger(logger_name)
    while logger is not None:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not type(
                handler
            ).__module__.startswith("_pytest"):
                yield handler
        if not logger.propagate:
            break
        logger = logger.parent


@pytest.mark.parametrize(
    ("logger_name", "level"),
    [
        ("django.request", logging.WARNING),
        ("django.server", logging.INFO),
        ("django.security.csrf", logging.WARNING),
        ("inventory.imports", logging.INFO),
        ("inventera.security", logging.INFO),
    ],
)
def test_each_log_line_is_printed_once(settings, logger_name, level):
    # Django's own default logging (DEBUG on, as in development) added a second console.
    settings.DEBUG = True
    out = io.StringIO()
    handlers = list(dict.fromkeys(_streams(logger_name)))
    assert handlers, f"{logger_name} reaches no stream"
    previous = [(handler, handler.setStream(out)) for handler in handlers]
    try:
        logging.getLogger(logger_name).log(level, "Not Found: /en-rad-%s", "a1b2c3")
    finally:
        for handler, stream in previous:
            if stream is not None:
                handler.setStream(stream)
    assert out.getvalue().count("/en-rad-a1b2c3") == 1, out.getvalue()


# --- the accessibility statement -----------------------------------------------------


def test_the_accessibility_statement_is_public_and_says_what_the_law_asks(settings):
    settings.INVENTERA_ACCESSIBILITY_CONTACT = "tillganglighet@kommun.example"
    settings.INVENTERA_MUNICIPALITY_NAME = "Exempelkommunen"
    response = Client().get("/accessibility/")
    assert response.status_code == 200
    assert "accessibility.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert f"<h1>{swedish('Accessibility statement for Inventera')}</h1>" in page
    assert "Exempelkommunen" in page
    assert "WCAG" in page and "2.1" in page and "AA" in page
    assert "2018:1937" in page
    assert 'href="mailto:tillganglighet@kommun.example"' in page
    assert "Myndigheten för digital förvaltning" in page and "Digg" in page
    assert 'href="https://www.digg.se/tdosanmalan"' in page
    assert f'<time datetime="{ACCESSIBILITY_REVIEWED:%Y-%m-%d}">' in page
    assert date.today() >= ACCESSIBILITY_REVIEWED
    # What is known not to be accessible: others' files, the downloaded reports.
    assert "PDF" in page
    assert 'aria-current="page">' + swedish("Accessibility statement") in page


def test_without_a_contact_the_statement_points_to_the_municipality(settings):
    settings.INVENTERA_ACCESSIBILITY_CONTACT = ""
    page = Client().get("/accessibility/").content.decode()
    assert "mailto:" not in page
    assert swedish("Contact the municipality and say that it is about Inventera.") in page


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"DEBUG": "true"}, "tillganglighet@exempelkommunen.se"),
        ({"DEBUG": "true", "ACCESSIBILITY_CONTACT": "a11y@kommun.example"}, "a11y@kommun.example"),
        ({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.se"}, ""),
    ],
)
def test_the_contact_comes_from_the_environment(environment, expected):
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "ACCESSIBILITY_CONTACT"}}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from config.settings import base; print(base.INVENTERA_ACCESSIBILITY_CONTACT)",
        ],
        cwd=django_settings.BASE_DIR,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == expected


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/accounts/login/", None),
        ("/accounts/password/reset/", None),
        ("/", "chef"),
        ("/inventory/assets/", "it"),
        ("/procurement/cases/", "strateg"),
        ("/inventory/assets/NO-SUCH-TAG/", "it"),
    ],
)
def test_every_page_links_the_statement_in_its_footer(users, url, role):
    client = Client()
    if role:
        client.force_login(users[role])
    page = client.get(url).content.decode()
    footer = re.search(r'<footer class="site-footer">(.*?)</footer>', page, re.DOTALL)
    assert footer is not None, url
    assert f'<a href="/accessibility/">{swedish("Accessibility statement")}</a>' in footer.group(1)
