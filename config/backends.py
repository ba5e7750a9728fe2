"""The one authentication backend: Django's own, behind the login throttle."""

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend

from inventory.figures import cached_figures


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

    def _get_permissions(self, user_obj, obj, from_name):
        # The user's or their groups' permissions, asked on every request: kept until
        # users, groups or permissions change (inventory/figures.py), not read again.
        cache_name = f"_{from_name}_perm_cache"
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, cache_name):
            permissions = cached_figures(
                "permissions",
                (from_name, user_obj.pk, user_obj.is_superuser),
                lambda: ModelBackend._get_permissions(self, user_obj, obj, from_name),
            )
            setattr(user_obj, cache_name, permissions)
        return getattr(user_obj, cache_name)
