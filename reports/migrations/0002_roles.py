"""Give the roles (groups made by inventory 0002) their report permissions.

A library manager gets both reports for the own libraries and sees their budgets; IT
gets the IT status report; the strategist gets every report and keeps the budgets. The
lists are written out here, not imported, so this migration means the same thing forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUBSCRIBE = [
    "view_reportsubscription",
    "add_reportsubscription",
    "delete_reportsubscription",
]
ROLES = {
    "Bibliotekschef": [
        *SUBSCRIBE,
        "view_it_status_report",
        "view_strategist_report",
        "view_budget",
    ],
    "IT": [*SUBSCRIBE, "view_it_status_report"],
    "Digitaliseringsstrateg": [
        *SUBSCRIBE,
        "view_it_status_report",
        "view_strategist_report",
        "view_budget",
        "add_budget",
        "change_budget",
        "delete_budget",
    ],
    "Systemförvaltare": None,  # every permission of the app
}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="reports")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        if codenames is None:
            group.permissions.add(*permissions)
            continue
        found = list(permissions.filter(codename__in=codenames))
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.add(*found)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="reports")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("inventory", "0002_roles"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
