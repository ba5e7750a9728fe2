"""Error pages that also log (403, CSRF) or carry their own Content-Security-Policy (500)."""

import base64
import hashlib
import logging
import re

from csp.constants import HEADER
from csp.utils import build_policy
from django.views import csrf, defaults
from django.views.decorators.csrf import requires_csrf_token

from .security import log_event

INLINE_STYLE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)


@requires_csrf_token
def permission_denied(request, exception):
    """Django's 403 page (templates/403.html), after logging who was refused what."""
    match = getattr(request, "resolver_match", None)
    log_event(
        "permission_denied",
        request,
        level=logging.WARNING,
        view=match.view_name if match else None,
        reason=str(exception) or None,
    )
    return defaults.permission_denied(request, exception)


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (templates/403_csrf.html), logged."""
    log_event("csrf_failure", request, level=logging.WARNING, reason=reason)
    return csrf.csrf_failure(request, reason=reason)


@requires_csrf_token
def server_error(request):
    """templates/500.html, which must render without the app and so keeps its CSS inline.

    Its policy is the site's, with the hash of each inline <style> allowed: exactly that
    CSS, and nothing else inline.
    """
    response = defaults.server_error(request)
    hashes = [
        "'sha256-{}'".format(base64.b64encode(hashlib.sha256(style).digest()).decode("ascii"))
        for style in INLINE_STYLE.findall(response.content)
    ]
    if hashes:
        response[HEADER] = build_policy(update={"style-src": hashes})
    return response
