"""Swedish unless the user chose otherwise; the Permissions-Policy header; session
timeouts."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils import translation
from django.utils.translation import ngettext

from config.security import log_event
from inventory import figures


class PreferredLanguageMiddleware:
    """Activate the language the user chose with the switch in the header, else Swedish.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: the
    municipality's staff share computers whose browsers often say English, and the
    product's default is Swedish.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header: the browser features pages may use (none but the
    camera, kept for scanning QR labels), from settings.INVENTERA_PERMISSIONS_POLICY."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.INVENTERA_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response


LOGIN_TIME_KEY = "inventera_login_time"
RENEWED_KEY = "inventera_renewed"
# The idle timeout's resolution: an active session is saved again at most this often.
RENEW_EVERY = 60


def remember_login_time(request) -> None:
    now = int(time.time())
    request.session[LOGIN_TIME_KEY] = now
    request.session[RENEWED_KEY] = now


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_COOKIE_AGE without a request, and
    settings.INVENTERA_SESSION_MAX_HOURS after its login however busy (0: no limit).

    Idle: Django ends a session SESSION_COOKIE_AGE after it was last saved; a request
    saves it again when it was last saved more than RENEW_EVERY seconds ago. (Django's
    SESSION_SAVE_EVERY_REQUEST would make every page view a database write, which on
    SQLite waits for any other writer, such as a long import.)

    After MessageMiddleware, so that the login page can say why; before
    LoginRequiredMiddleware, which then sends the user there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request):
        session = request.session
        now = int(time.time())
        hours = settings.INVENTERA_SESSION_MAX_HOURS
        started = session.get(LOGIN_TIME_KEY)
        if started is None:
            # A session from before this check: its lifetime starts now.
            session[LOGIN_TIME_KEY] = started = now
        if hours and now - started > hours * 3600:
            log_event("session_expired", request, reason="max_age", max_hours=hours)
            logout(request)
            messages.info(
                request,
                ngettext(
                    "You were logged out after %(hours)d hour logged in. Log in again to go on.",
                    "You were logged out after %(hours)d hours logged in. Log in again to go on.",
                    hours,
                )
                % {"hours": hours},
            )
        elif now - session.get(RENEWED_KEY, 0) >= RENEW_EVERY:
            session[RENEWED_KEY] = now  # saved, and so given SESSION_COOKIE_AGE again


class OneDataVersionMiddleware:
    """A request that only reads (GET, HEAD) reads the data version once, not once per
    cached figure (inventory/figures.py, docs/architecture.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with figures.one_version():
            return self.get_response(request)
