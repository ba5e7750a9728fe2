"""The project's own pages around the apps: logging in and out (with the user's
language), the password reset, the accessibility statement, and /favicon.ico."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.generic import RedirectView, TemplateView

from inventory.views.language import language_at_login, set_language_cookie

# When the accessibility statement was last reviewed against the service, which the
# statement must say (lag (2018:1937) om tillgänglighet till digital offentlig service,
# and the supervisory authority Digg's rules for the statement). Change it with every
# review, together with templates/accessibility.html.
ACCESSIBILITY_REVIEWED = datetime.date(2026, 11, 28)


class InventeraLoginView(auth_views.LoginView):
    """Django's login, which then brings back the language the user chose."""

    def form_valid(self, form):
        response = super().form_valid(form)
        set_language_cookie(response, language_at_login(self.request, form.get_user()))
        return response


class InventeraLogoutView(auth_views.LogoutView):
    """Django's logout, then the login page saying so.

    The message is added after the logout, which empties the session it would otherwise
    be stored in.
    """

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, gettext("You are logged out."))
        return response


class InventeraPasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, with the link in the e-mail on settings.SITE_URL like
    every other link Inventera mails, rather than on whatever host the request named."""

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class AccessibilityStatementView(TemplateView):
    """The accessibility statement the law on accessible digital public services asks
    of a public body's digital service (lag (2018:1937) om tillgänglighet till digital
    offentlig service), open to anyone."""

    template_name = "accessibility.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact=settings.INVENTERA_ACCESSIBILITY_CONTACT,
            municipality=settings.INVENTERA_MUNICIPALITY_NAME.strip()
            or gettext("the municipality"),
            reviewed=ACCESSIBILITY_REVIEWED,
            **kwargs,
        )


@method_decorator(login_not_required, name="dispatch")
class FaviconView(RedirectView):
    """/favicon.ico, which browsers ask for whatever the page links: the SVG icon.

    Not permanent: in production the static file's name carries its hash, which changes
    with the file.
    """

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")
