"""Sessions end after 30 minutes without a request, and 10 hours after the login."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.middleware import LOGIN_TIME_KEY, RENEWED_KEY
from tests.security.conftest import events

pytestmark = pytest.mark.django_db


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_session_lasts_30_minutes_after_the_last_request(chef, client_for):
    client = client_for(chef)
    assert client.get("/").status_code == 200
    left = expiry(client) - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_each_request_starts_the_30_minutes_again(chef, client_for):
    client = client_for(chef)
    client.get("/")
    # 25 minutes later: still logged in …
    set_session(client, **{RENEWED_KEY: int(time.time()) - 25 * 60})
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/").status_code == 200
    # … and the request gave it 30 minutes again.
    assert expiry(client) - timezone.now() > timedelta(minutes=29)


def test_requests_within_a_minute_do_not_write_the_session(chef, client_for):
    client = client_for(chef)
    client.get("/")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=29, seconds=30))
    before = expiry(client)
    assert client.get("/").status_code == 200
    assert expiry(client) == before


def test_after_30_idle_minutes_the_login_page(chef, client_for):
    client = client_for(chef)
    client.get("/")
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/inventory/assets/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/inventory/assets/"


def test_the_idle_time_is_a_setting(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_login_remembers_when(chef, client):
    before = int(time.time())
    client.post("/accounts/login/", {"username": "chef", "password": "pw"})
    assert before <= client.session[LOGIN_TIME_KEY] <= int(time.time())


def age_login(client, hours):
    set_session(client, **{LOGIN_TIME_KEY: int(time.time() - hours * 3600)})


def test_a_busy_session_still_ends_10_hours_after_the_login(chef, client_for, security_log):
    client = client_for(chef)
    age_login(client, 9.9)
    assert client.get("/").status_code == 200
    age_login(client, 10.1)
    response = client.get("/inventory/assets/", follow=True)
    assert response.redirect_chain[0] == ("/accounts/login/?next=/inventory/assets/", 302)
    assert SESSION_KEY not in client.session
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert "10" in messages[0]
    [expired] = events(security_log, "session_expired")
    assert (expired["username"], expired["max_hours"]) == ("chef", 10)
    assert events(security_log, "logout")[0]["username"] == "chef"


def test_the_cap_can_be_turned_off(chef, client_for, settings):
    settings.INVENTERA_SESSION_MAX_HOURS = 0
    client = client_for(chef)
    age_login(client, 100)
    assert client.get("/").status_code == 200


def test_a_session_from_before_the_cap_starts_counting_now(chef, client_for):
    client = client_for(chef)
    session = client.session
    del session[LOGIN_TIME_KEY]
    session.save()
    assert client.get("/").status_code == 200
    assert abs(client.session[LOGIN_TIME_KEY] - time.time()) < 5
