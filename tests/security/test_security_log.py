"""The security log: who did what, from where, one line each, never a password."""

import json
import logging

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from config.security import SecurityFormatter, log_event
from procurement import services
from tests.security.conftest import events

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SECRET = "Hemligt-Lösen0rd!"


def post_login(client, username, password, ip="10.0.0.8"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_logins_failures_lockouts_and_logouts(chef, client, security_log):
    chef.set_password(SECRET)
    chef.save()
    for _ in range(5):
        post_login(client, "chef", SECRET + "x")
    post_login(client, "chef", SECRET)  # refused: locked
    post_login(client, "it", "wrong", ip="10.0.0.9")

    failed = events(security_log, "login_failed")
    assert [e["reason"] for e in failed] == ["credentials"] * 5 + ["locked_out", "credentials"]
    assert {(e["username"], e["ip"]) for e in failed} == {
        ("chef", "10.0.0.8"),
        ("it", "10.0.0.9"),
    }
    assert "user_id" not in failed[0]
    [lockout] = events(security_log, "lockout")
    assert (lockout["username"], lockout["ip"], lockout["failures"]) == ("chef", "10.0.0.8", 5)
    assert lockout["cooloff_minutes"] == 15
    assert [r.levelname for r in security_log.records if "login_failed" in r.getMessage()] == [
        "WARNING"
    ] * 7

    AccessAttempt.objects.all().delete()
    security_log.clear()
    post_login(client, "chef", SECRET)
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.8")
    login, logout = events(security_log)
    assert (login["event"], login["user_id"], login["username"]) == ("login", chef.pk, "chef")
    assert (logout["event"], logout["user_id"], logout["ip"]) == ("logout", chef.pk, "10.0.0.8")

    # Never the password: not in the log, not in what the throttle stores.
    assert SECRET not in security_log.text
    assert all(SECRET not in r.getMessage() for r in security_log.records)
    assert all(SECRET not in str(r.__dict__) for r in security_log.records)


def test_the_throttle_does_not_store_the_password(chef, client):
    post_login(client, "chef", SECRET)
    stored = AccessAttempt.objects.values_list("post_data", "get_data")
    assert stored
    assert all(SECRET not in data for row in stored for data in row)


def test_a_permission_refusal_says_who_and_what(chef, client_for, security_log):
    response = client_for(chef).get("/inventory/assets/add/", REMOTE_ADDR="10.0.0.3")
    assert response.status_code == 403
    [refusal] = events(security_log, "permission_denied")
    assert refusal["user_id"] == chef.pk
    assert refusal["username"] == "chef"
    assert refusal["ip"] == "10.0.0.3"
    assert refusal["path"] == "/inventory/assets/add/"
    assert refusal["view"] == "inventory:asset_create"
    # Still the site's own 403 page.
    assert "403.html" in [t.name for t in response.templates]


def test_a_refusal_from_a_service_gives_its_reason(
    make_case, chef, hb, strateg, client_for, security_log
):
    case = make_case(chef, hb)
    response = client_for(strateg).post(
        f"/procurement/cases/{case.url_reference}/edit/", {"title": "x"}
    )
    assert response.status_code == 403
    [refusal] = events(security_log, "permission_denied")
    assert refusal["username"] == "strateg"
    assert refusal["view"] == "procurement:case_update"


def test_a_csrf_failure_is_logged_and_shown_in_the_site_layout(chef, security_log):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chef)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]
    assert "base.html" in [t.name for t in response.templates]
    [failure] = events(security_log, "csrf_failure")
    assert failure["username"] == "chef"
    assert "CSRF" in failure["reason"]


def test_a_document_download(
    make_case, chef, hb, strateg, client_for, security_log, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    case = make_case(chef, hb)
    upload = SimpleUploadedFile("offert Atea.pdf", b"%PDF-1.4\n%hemligt\n", "application/pdf")
    document = services.document_add(case=case, actor=chef, kind="quote", upload=upload)
    response = client_for(strateg).get(
        f"/procurement/cases/{case.url_reference}/documents/{document.pk}/"
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    [download] = events(security_log, "document_download")
    assert download["username"] == "strateg"
    assert download["case"] == case.reference
    assert download["document_id"] == document.pk
    assert download["file_name"] == "offert Atea.pdf"
    assert "hemligt" not in security_log.text
    assert 'file_name="offert Atea.pdf"' in security_log.records[-1].getMessage()


def test_an_asset_export(it_user, hb_asset, client_for, security_log):
    response = client_for(it_user).get("/inventory/assets/export/?format=csv&library=HB")
    assert response.status_code == 200
    [export] = events(security_log, "asset_export")
    assert export["username"] == "it"
    assert export["file_name"].endswith(".csv")
    assert export["query"] == "format=csv&library=HB"
    assert "HB-PC-01" not in security_log.text  # what was exported, not its rows


def test_a_refused_export_is_not_an_export(chef, client_for, security_log):
    response = client_for(chef).get("/inventory/assets/export/?format=pdf")
    assert response.status_code == 404
    assert events(security_log, "asset_export") == []


def test_report_downloads(it_user, hb_asset, client_for, security_log):
    response = client_for(it_user).get("/reports/it-status/download/?format=csv")
    assert response.status_code == 200
    [download] = events(security_log, "report_download")
    assert (download["report"], download["username"]) == ("it-status", "it")
    assert download["query"] == "format=csv"


def test_log_event_for_an_import(rf, it_user, security_log):
    request = rf.post("/inventory/import/1/confirm/", REMOTE_ADDR="10.0.0.5")
    request.user = it_user
    log_event("import", request, file_name="lista.csv", new=12, updated=3, unchanged=0)
    [record] = security_log.records
    assert record.levelname == "INFO"
    assert record.getMessage() == (
        f"event=import user_id={it_user.pk} username=it ip=10.0.0.5 method=POST "
        "path=/inventory/import/1/confirm/ file_name=lista.csv new=12 updated=3 unchanged=0"
    )


def test_secrets_and_line_breaks_cannot_get_in(security_log):
    log_event(
        "test",
        username="x\nevent=login user_id=1",
        password=SECRET,
        api_token="abc",
        note='say "hi"',
    )
    [record] = security_log.records
    line = record.getMessage()
    assert "\n" not in line
    assert SECRET not in line
    assert "abc" not in line
    assert 'username="x\\nevent=login user_id=1"' in line
    assert "password=[removed]" in line
    assert 'note="say \\"hi\\""' in line


def test_long_values_are_cut(security_log):
    log_event("test", query="q=" + "x" * 5000)
    [record] = security_log.records
    assert len(record.security["query"]) == 300
    assert len(record.getMessage()) < 400


def test_the_formatter_writes_one_line_with_the_time_or_json(rf, chef, security_log):
    request = rf.get("/x/", REMOTE_ADDR="10.0.0.1")
    request.user = chef
    log_event("permission_denied", request, level=logging.WARNING, view="x")
    [record] = security_log.records
    text = SecurityFormatter().format(record)
    at, level, rest = text.split(" ", 2)
    assert at[:2] == "20" and "T" in at and ("+" in at[10:] or "-" in at[10:])
    assert level == "WARNING"
    assert rest.startswith(f"event=permission_denied user_id={chef.pk} username=chef ip=10.0.0.1")
    data = json.loads(SecurityFormatter(as_json=True).format(record))
    assert data["event"] == "permission_denied"
    assert data["username"] == "chef"
    assert data["level"] == "WARNING"
    assert data["time"] == at


def test_the_settings_send_the_log_to_its_own_handler():
    logger = logging.getLogger("inventera.security")
    assert not logger.propagate
    [handler] = logger.handlers[:1]
    assert isinstance(handler.formatter, SecurityFormatter)
    assert logger.isEnabledFor(logging.INFO)
