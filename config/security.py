"""The security log and the login throttle's hooks.

Security events go to the `inventera.security` logger, one line each: who (user id and
user name, the client's address), what (the event and its details) and when (the
formatter's timestamp). Never a password, a token or a file's contents.

    log_event("import", request, file_name="lista.csv", new=12, updated=3)

gives

    2026-03-02T09:14:03+01:00 INFO event=import user_id=7 username=it ip=10.0.0.5
    method=POST path=/inventory/import/…/confirm/ file_name=lista.csv new=12 updated=3

(on one line), or the same as JSON with SECURITY_LOG_FORMAT=json. Logins, failed logins,
logouts and lock-outs are logged from the authentication signals (connect_signals, run by
config.apps), refusals by the 403 handler (config.errors), downloads by their views.

This module imports no models, so that the logging configuration can name its formatter
before the apps are loaded.
"""

import ipaddress
import json
import logging
import math
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

logger = logging.getLogger("inventera.security")

# Detail names whose values are never written, whatever a caller passes.
SECRET_NAMES = re.compile(r"pass(word|wd)?|secret|token|csrf|session|cookie", re.IGNORECASE)
MAX_VALUE_LENGTH = 300
# A value is written bare when it is made of these; otherwise quoted (as a JSON string).
BARE_VALUE = re.compile(r"[\w.,:/@+\-()\[\]#%~*]+")


def client_ip(request) -> str | None:
    """The client's address, as the login throttle and the security log see it.

    REMOTE_ADDR, unless settings.INVENTERA_CLIENT_IP_HEADER names a header that a
    reverse proxy of ours sets (X-Real-IP, X-Forwarded-For). In a list the last address is
    taken: the one our proxy added, which a client cannot forge. A missing or malformed
    header falls back to REMOTE_ADDR.
    """
    header = getattr(settings, "INVENTERA_CLIENT_IP_HEADER", "REMOTE_ADDR")
    if header != "REMOTE_ADDR":
        forwarded = request.META.get(header, "").split(",")[-1].strip()
        address = _address(forwarded)
        if address:
            return address
    return _address(request.META.get("REMOTE_ADDR", ""))


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _text(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if BARE_VALUE.fullmatch(text):
        return text
    # Quoted, and escaped so that no value can start a line of its own.
    return json.dumps(text, ensure_ascii=not text.isprintable())


def event_fields(event: str, request=None, *, user=None, **details) -> dict:
    """What log_event writes, in order: the event, who, where from, then the details."""
    fields: dict = {"event": event}
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        fields["user_id"] = user.pk
        fields["username"] = user.get_username()
    if request is not None and request.method:  # not the bare request of a test's login
        fields["ip"] = client_ip(request)
        fields["method"] = request.method
        fields["path"] = request.path
    for name, value in details.items():
        if name in fields:
            name = f"attempted_{name}" if name == "username" else f"detail_{name}"
        if SECRET_NAMES.search(name):
            value = "[removed]"
        elif isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
            value = value[: MAX_VALUE_LENGTH - 1] + "…"
        fields[name] = value
    return fields


def log_event(event: str, request=None, *, user=None, level: int = logging.INFO, **details):
    """Write one security event to the `inventera.security` log.

    `event` is a short name (login_failed, document_download, import, …); `request`, when
    given, adds the user, the client's address, the method and the path; `user` names the
    user when the request does not (or not yet); the keyword `details` follow as
    name=value. Details named like a secret (password, token, …) are written as
    "[removed]"; give names and counts, never a file's contents.
    """
    fields = event_fields(event, request, user=user, **details)
    line = " ".join(f"{name}={_text(value)}" for name, value in fields.items())
    logger.log(level, line, extra={"security": fields})


class SecurityFormatter(logging.Formatter):
    """One line per event: the time with its offset (in the site's time zone), the level,
    then the event's name=value pairs; or, with `as_json`, one JSON object."""

    def __init__(self, *args, as_json: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.as_json = as_json

    def format(self, record: logging.LogRecord) -> str:
        zone = ZoneInfo(settings.TIME_ZONE) if settings.USE_TZ else None
        at = datetime.fromtimestamp(record.created, tz=zone).astimezone(zone)
        at = at.isoformat(timespec="seconds")
        if self.as_json:
            fields = getattr(record, "security", None) or {"message": record.getMessage()}
            return json.dumps(
                {"time": at, "level": record.levelname, **fields},
                ensure_ascii=False,
                default=str,
            )
        return f"{at} {record.levelname} {record.getMessage()}"


def cooloff_minutes() -> int:
    cooloff = settings.AXES_COOLOFF_TIME
    return max(1, math.ceil(cooloff.total_seconds() / 60)) if cooloff else 0


def lockout_response(request, original_response=None, credentials=None):
    """The login page, with what to do, for a user name locked on this address (429)."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.template.response import TemplateResponse

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "locked_out": True,
        "cooloff_minutes": cooloff_minutes(),
    }
    response = TemplateResponse(request, "registration/login.html", context, status=429)
    return response.render()


def _refused_by_lock(request) -> bool:
    """Whether django-axes refused this login for a lock made before it.

    Such an attempt is flagged locked out without being counted; the attempt that makes
    the lock is counted (axes_failures_since_start), whichever receiver runs first.
    """
    return bool(getattr(request, "axes_locked_out", False)) and not getattr(
        request, "axes_failures_since_start", None
    )


def _login_failed(sender, credentials, request=None, **kwargs):
    log_event(
        "login_failed",
        request,
        level=logging.WARNING,
        username=(credentials or {}).get("username"),
        reason="locked_out" if _refused_by_lock(request) else "credentials",
    )


def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    if _refused_by_lock(request):
        return  # locked before: its login_failed line says so
    log_event(
        "lockout",
        request,
        level=logging.WARNING,
        username=username,
        failures=settings.AXES_FAILURE_LIMIT,
        cooloff_minutes=cooloff_minutes(),
    )


def _logged_in(sender, request, user, **kwargs):
    log_event("login", request, user=user)
    if request is not None and hasattr(request, "session"):
        from config.middleware import remember_login_time

        remember_login_time(request)


def _logged_out(sender, request, user, **kwargs):
    log_event("logout", request, user=user)


def connect_signals():
    from axes.signals import user_locked_out
    from django.contrib.auth import signals

    signals.user_login_failed.connect(_login_failed, dispatch_uid="inventera.login_failed")
    signals.user_logged_in.connect(_logged_in, dispatch_uid="inventera.logged_in")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="inventera.logged_out")
    user_locked_out.connect(_locked_out, dispatch_uid="inventera.locked_out")
