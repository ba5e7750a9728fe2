"""Login throttling: five failures for one user name from one address lock that user name
on that address for 15 minutes; the page says what to do."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.db.models import F
from django.test import Client, RequestFactory

from config.security import client_ip

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PASSWORD = "pw"  # tests.factories.UserFactory's
WRONG = "fel-lösenord"
OFFICE = "10.20.30.40"  # the municipality's shared address
HOME = "192.0.2.7"


def attempt(client, username, password, ip=OFFICE, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def fail(client, username, times, ip=OFFICE):
    return [attempt(client, username, WRONG, ip).status_code for _ in range(times)]


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def test_five_wrong_passwords_then_the_right_one_is_refused(chef, client):
    assert fail(client, "chef", 5) == [200, 200, 200, 200, 429]
    response = attempt(client, "chef", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_four_wrong_then_the_right_one_logs_in_and_starts_the_count_again(chef, client):
    assert fail(client, "chef", 4) == [200] * 4
    assert attempt(client, "chef", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()
    # Reset on success: four more failures are not five.
    other = Client()
    assert fail(other, "chef", 4) == [200] * 4
    assert attempt(other, "chef", PASSWORD).status_code == 302


def test_another_user_from_the_same_address_is_not_locked(chef, it_user, client):
    fail(client, "chef", 6)
    response = attempt(Client(), "it", PASSWORD, ip=OFFICE)
    assert response.status_code == 302


def test_the_same_user_from_another_address_is_not_locked(chef, client):
    fail(client, "chef", 6)
    other = Client()
    assert attempt(other, "chef", PASSWORD, ip=HOME).status_code == 302
    assert logged_in(other)


def test_after_the_cool_off_the_right_password_works(chef, client):
    fail(client, "chef", 5)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert attempt(client, "chef", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=2))
    assert attempt(client, "chef", PASSWORD).status_code == 302
    assert logged_in(client)


def test_attempts_while_locked_do_not_lengthen_the_lock(chef, client):
    fail(client, "chef", 5)
    locked_at = AccessAttempt.objects.get().attempt_time
    fail(client, "chef", 3)
    assert AccessAttempt.objects.get().attempt_time == locked_at
    assert AccessAttempt.objects.get().failures_since_start == 5


def test_the_reset_command_unlocks(chef, client):
    fail(client, "chef", 5)
    call_command("axes_reset_username", "chef", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert attempt(client, "chef", PASSWORD).status_code == 302


def test_an_administrator_unlocks_in_the_admin(chef, client, admin_client):
    fail(client, "chef", 5)
    attempt_row = AccessAttempt.objects.get()
    listing = admin_client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert b"chef" in listing.content
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt_row.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert attempt(client, "chef", PASSWORD).status_code == 302


def test_the_lock_page_is_the_login_page_saying_what_to_do(chef, client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "chef", 5)
    response = attempt(client, "chef", PASSWORD)
    assert response.status_code == 429
    templates = [t.name for t in response.templates]
    assert "registration/login.html" in templates
    assert "base.html" in templates
    assert response.context["locked_out"] is True
    assert response.context["cooloff_minutes"] == 15
    page = response.content.decode()
    assert 'id="error-summary"' in page
    assert "Wait 15" in page
    assert "minutes and try again, or ask an administrator to unlock your account" in page
    assert 'class="site-header"' in page
    # The form is there to try again later, with the user name kept.
    assert 'name="password"' in page
    assert 'value="chef"' in page


def test_the_lock_page_is_in_swedish_by_default(chef, client):
    fail(client, "chef", 5)
    response = attempt(client, "chef", PASSWORD)
    assert response.status_code == 429
    assert '<html lang="sv">' in response.content.decode()


def test_a_forged_forwarded_header_does_not_change_the_address(chef, client):
    # By default the address is the connection's: a client's X-Forwarded-For is ignored.
    for n in range(5):
        attempt(client, "chef", WRONG, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = attempt(client, "chef", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_proxy_the_address_is_the_one_the_proxy_adds(chef, settings):
    settings.INVENTERA_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    proxy = "127.0.0.1"
    client = Client()
    for _ in range(5):
        attempt(client, "chef", WRONG, ip=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.4, {OFFICE}")
    # The same user from another client address through the same proxy is not locked.
    response = attempt(Client(), "chef", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=HOME)
    assert response.status_code == 302
    assert (
        attempt(client, "chef", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 429
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {OFFICE}


@pytest.mark.parametrize(
    ("header", "meta", "expected"),
    [
        ("REMOTE_ADDR", {"HTTP_X_FORWARDED_FOR": "1.1.1.1"}, "10.0.0.1"),
        ("HTTP_X_FORWARDED_FOR", {"HTTP_X_FORWARDED_FOR": "1.1.1.1, 2.2.2.2"}, "2.2.2.2"),
        ("HTTP_X_FORWARDED_FOR", {"HTTP_X_FORWARDED_FOR": "not an address"}, "10.0.0.1"),
        ("HTTP_X_FORWARDED_FOR", {}, "10.0.0.1"),
        ("HTTP_X_REAL_IP", {"HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
    ],
)
def test_client_ip(settings, header, meta, expected):
    settings.INVENTERA_CLIENT_IP_HEADER = header
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **meta)
    assert client_ip(request) == expected


def test_the_header_setting_takes_a_header_name():
    from config.settings.base import _client_ip_header

    assert _client_ip_header("X-Forwarded-For") == "HTTP_X_FORWARDED_FOR"
    assert _client_ip_header("x-real-ip") == "HTTP_X_REAL_IP"
    assert _client_ip_header("REMOTE_ADDR") == "REMOTE_ADDR"
