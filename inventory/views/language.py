from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ..models import Profile

# A language chosen before logging in (on the login page), which the login then keeps.
CHOSEN_LANGUAGE_KEY = "inventera_chosen_language"


@login_not_required
@require_POST
def set_language_view(request):
    """Django's set_language, and for a logged-in user also the profile's language,
    which e-mails from Inventera are written in and the next login brings back."""
    response = set_language(request)
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            Profile.objects.update_or_create(user=request.user, defaults={"language": language})
        else:
            # The session outlives the login (it is cycled, not flushed).
            request.session[CHOSEN_LANGUAGE_KEY] = language
    return response


def language_at_login(request, user) -> str:
    """The language a user's pages are in after logging in.

    A language chosen on the login page itself wins and is kept in the profile; otherwise
    the profile's, so that a user's choice comes back on another day or another
    computer, and the previous user's choice on a shared computer does not carry over
    (a user without a profile gets the default, Swedish).
    """
    chosen = request.session.pop(CHOSEN_LANGUAGE_KEY, None)
    if chosen in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=user, defaults={"language": chosen})
        return chosen
    profile = Profile.objects.filter(user=user).only("language").first()
    if profile is not None and profile.language in dict(settings.LANGUAGES):
        return profile.language
    return settings.LANGUAGE_CODE


def set_language_cookie(response, language: str) -> None:
    """The cookie config.middleware.PreferredLanguageMiddleware reads, as Django's
    set_language writes it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
