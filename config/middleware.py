"""Swedish unless the user chose otherwise."""

from django.conf import settings
from django.utils import translation


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
