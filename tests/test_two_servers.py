"""Two app servers behind one load balancer, on one PostgreSQL (docs/deployment.md): two
gunicorn instances with production settings share nothing but the database and the
uploads' storage. A session made on one is good on the other, a document uploaded
through one is downloaded through the other, and an edit saved through one makes the
same stale edit through the other a 409, not a silent overwrite."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from inventory import roles
from inventory.models import Asset
from procurement import services as procurement_services
from procurement.models import CaseDocument
from tests.factories import (
    AssetFactory,
    CategoryFactory,
    LibraryFactory,
    LocationFactory,
    make_role_user,
)
from tests.object_store import object_store  # noqa: F401 - the fixture

pytestmark = [pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n%inventera two servers\n"


@pytest.fixture(autouse=True)
def _postgres_only(migration_data):
    if connection.vendor != "postgresql":
        pytest.skip("two servers share one PostgreSQL; CI runs this on PostgreSQL")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One person's cookies, sent to whichever server the load balancer picks."""

    def __init__(self, cookies: dict[str, str]) -> None:
        self.cookies = dict(cookies)

    def request(self, port: int, method: str, path: str, body=b"", content_type=""):
        headers = {"Accept-Language": "sv", "Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        http_connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            http_connection.request(method, path, body=body or None, headers=headers)
            response = http_connection.getresponse()
            content = response.read()
        finally:
            http_connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response, content


class FormFields(HTMLParser):
    """The fields a browser would send of the first form posting to `action` ("" for a
    form that posts to its own page)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.done, self.fields = action, False, False, []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and not self.done:
            self.inside = (attributes.get("action") or "") == self.action
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("submit", "file"):
            if attributes.get("type") in ("checkbox", "radio") and "checked" not in attributes:
                return
            self.fields.append((name, attributes.get("value") or ""))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields.append((self._select, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.inside:
            name, value = self.fields[-1]
            self.fields[-1] = (name, value + data)


def form_fields(page: bytes, action: str) -> list[tuple[str, str]]:
    parser = FormFields(action)
    parser.feed(page.decode())
    assert parser.fields, f"no form posting to {action}"
    # A textarea's content starts after a newline the browser drops.
    return [(name, value.removeprefix("\n")) for name, value in parser.fields]


def multipart(fields: list[tuple[str, str]], file_field: str, file_name: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
            f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture(params=["shared folder", "object store"])
def servers(request, tmp_path):
    """Two gunicorn instances, production settings, one database; the uploads in one
    folder both mount, or in an S3-compatible object store with a local folder of each
    server's own that must stay empty. Stopped afterwards."""
    database = connection.settings_dict
    static_root = tmp_path / "static"
    media_root = tmp_path / "shared-uploads"
    media_root.mkdir()
    store = request.getfixturevalue("object_store") if request.param == "object store" else None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "false",
        # The same key on every server: sessions and CSRF tokens are signed with it.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "MUNICIPALITY_NAME": "Exempelkommunen",
        "MUNICIPALITY_ORG_NUMBER": "212000-0001",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "MEDIA_ROOT": str(media_root),
        "DATA_DIR": str(tmp_path),
        "STATIC_ROOT": str(static_root),
        "PYTHONPATH": str(ROOT),
        **(store.environment() if store else {}),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    started, logs = [], []
    try:
        for n in range(2):
            port, log = _free_port(), tmp_path / f"gunicorn-{n}.log"
            gunicorn = Path(sys.executable).parent / "gunicorn"
            own_folder = tmp_path / f"server-{n}-uploads"
            own_folder.mkdir()
            with log.open("wb") as output:
                process = subprocess.Popen(
                    [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
                    cwd=ROOT,
                    env={**env, "MEDIA_ROOT": str(own_folder)} if store else env,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((process, port))
            logs.append(log)
        for process, port in started:
            _wait_until_up(process, port)
        yield [port for _process, port in started], store or media_root
    except BaseException:
        for log in logs:
            sys.stderr.write(log.read_text(errors="replace")[-3000:])
        raise
    finally:
        for process, _port in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(20)
                except subprocess.TimeoutExpired:
                    with suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def _wait_until_up(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped"
        with suppress(OSError, http.client.HTTPException):
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"gunicorn on {port} did not answer")


def _signed_in(user) -> Browser:
    """A session made the way a login makes it, in the shared database."""
    client = Client()
    client.force_login(user)
    return Browser(
        {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    )


@pytest.fixture
def world():
    hb = LibraryFactory(code="HB", name="Stadsbiblioteket")
    floor = LocationFactory(library=hb, name="Plan 2")
    workstation = CategoryFactory(code="workstation", name_sv="Publik dator")
    asset = AssetFactory(tag="HB-PC-01", library=hb, location=floor, category=workstation)
    chef = make_role_user(roles.LIBRARY_MANAGER, "chef", [hb])
    it = make_role_user(roles.IT_STAFF, "it")
    case = procurement_services.case_create(
        actor=chef,
        library=hb,
        title="Nya publika datorer",
        need="Datorerna vid informationsdisken är för gamla.",
        category=workstation,
        estimated_value=Decimal("50000"),
    )
    return {"asset": asset, "chef": chef, "it": it, "case": case}


def test_a_document_uploaded_through_one_server_is_downloaded_through_the_other(
    servers, world, tmp_path
):
    (first, second), uploads = servers
    chef = _signed_in(world["chef"])
    case_url = world["case"].get_absolute_url()
    # The session made for one server is good on the other: it lives in the database.
    for port in (first, second):
        response, _page = chef.request(port, "GET", case_url)
        assert response.status == 200
    upload_url = f"{case_url}documents/add/"
    response, page = chef.request(first, "GET", upload_url)
    assert response.status == 200
    fields = [(n, v) for n, v in form_fields(page, "") if n != "file"]
    fields = [(n, v) for n, v in fields if n != "kind"] + [("kind", "quote")]
    body, content_type = multipart(fields, "file", "offert.pdf", PDF)
    response, _page = chef.request(first, "POST", upload_url, body, content_type)
    assert response.status == 302, _page[:2000]
    document = CaseDocument.objects.get(case=world["case"])
    if isinstance(uploads, Path):
        assert (uploads / document.file.name).read_bytes() == PDF
    else:
        assert uploads.keys() == [document.file.name]
        stored = uploads.client().get_object(Bucket=uploads.bucket, Key=document.file.name)
        assert stored["Body"].read() == PDF
        # Neither server kept anything on its own disk.
        assert [p for p in tmp_path.glob("server-*-uploads/**/*") if p.is_file()] == []

    response, content = chef.request(second, "GET", f"{case_url}documents/{document.pk}/")
    assert response.status == 200
    assert content == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_lost_update_is_refused_across_servers(servers, world):
    (first, second), _uploads = servers
    alice, bob = _signed_in(world["it"]), _signed_in(world["it"])
    edit_url = f"/inventory/assets/{world['asset'].tag}/edit/"
    # Both open the edit page, each through another server, at the same version.
    _response, alice_page = alice.request(first, "GET", edit_url)
    _response, bob_page = bob.request(second, "GET", edit_url)
    alice_fields = form_fields(alice_page, "")
    bob_fields = form_fields(bob_page, "")
    assert dict(alice_fields)["version"] == dict(bob_fields)["version"]

    def with_notes(fields, notes):
        return urlencode([(n, notes if n == "notes" else v) for n, v in fields]).encode()

    form = "application/x-www-form-urlencoded"
    response, page = alice.request(
        first, "POST", edit_url, with_notes(alice_fields, "Ny hörlur, Alice"), form
    )
    assert response.status == 302, page[:3000]
    response, page = bob.request(
        second, "POST", edit_url, with_notes(bob_fields, "Annan anteckning, Bob"), form
    )
    assert response.status == 409
    # Bob's page keeps what he typed, and the register keeps Alice's save.
    assert "Annan anteckning, Bob" in page.decode()
    asset = Asset.objects.get(pk=world["asset"].pk)
    assert asset.notes == "Ny hörlur, Alice"
    assert re.search(r"\d", dict(alice_fields)["version"])
