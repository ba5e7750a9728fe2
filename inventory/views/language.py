from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ..models import Profile


@login_not_required
@require_POST
def set_language_view(request):
    """Django's set_language, and for a logged-in user also the profile's language,
    which e-mails from Inventera are written in."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        Profile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response
