"""The roles (library manager, IT staff, strategist, administrator) as Django groups.

Group names are Swedish because administrators see them in the admin. The permissions
each role holds are set by data migrations (inventory 0002, and procurement's own for
its models); this module only names the groups and says who sees every library.
"""

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext_lazy as _

# Who the core's functions take (AUTH_USER_MODEL is Django's own User): `Actor` is a user
# with an account, such as the one a service acts for or mails; `Reader` is whoever reads a
# page, possibly not signed in.
Actor: TypeAlias = User
Reader: TypeAlias = User | AnonymousUser

LIBRARY_MANAGER = "Bibliotekschef"
IT_STAFF = "IT"
STRATEGIST = "Digitaliseringsstrateg"
ADMINISTRATOR = "Systemförvaltare"

ROLE_LABELS = {
    LIBRARY_MANAGER: _("Library manager"),
    IT_STAFF: _("IT staff"),
    STRATEGIST: _("Digitalisation strategist"),
    ADMINISTRATOR: _("Administrator"),
}

# Holders of this permission see every library; everyone else only the libraries in
# their profile.
ALL_LIBRARIES_PERMISSION = "inventory.access_all_libraries"


def role_labels(user) -> list[str]:
    """The user's roles in the active language, for the page header."""
    names = {group.name for group in user.groups.all()}
    return [str(label) for name, label in ROLE_LABELS.items() if name in names]
