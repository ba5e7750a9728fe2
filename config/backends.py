"""The one authentication backend: Django's own, behind the login throttle."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend


class ThrottledModelBackend(AxesStandaloneBackend, ModelBackend):
    """ModelBackend, refusing a user name locked on the client's address (django-axes).

    One backend rather than axes' and Django's side by side: with two, Django's
    `User.objects.with_perm()` (used by the reminders) must be told which to ask.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Raises AxesBackendPermissionDenied while locked; authenticate() then reports
        # the failure like any other.
        AxesStandaloneBackend.authenticate(self, request, username, password, **kwargs)
        return ModelBackend.authenticate(self, request, username, password, **kwargs)
