"""Give the roles (groups made by inventory 0002) their procurement permissions.

The lists are written out here, not imported, so this migration means the same thing
forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = [
    "view_procurementcase",
    "view_caseline",
    "view_quote",
    "view_casedocument",
    "view_comment",
    "view_approval",
    "view_stagechange",
    "view_supplier",
    "view_frameworkagreement",
    "view_purchasingruleset",
]
ROLES = {
    "Bibliotekschef": [
        *VIEW,
        "add_procurementcase",
        "change_procurementcase",
        "advance_need",
        "hold_case",
        "add_comment",
        "add_casedocument",
    ],
    "IT": [
        *VIEW,
        "change_procurementcase",
        "advance_technical",
        "hold_case",
        "register_delivery",
        "add_quote",
        "change_quote",
        "add_caseline",
        "add_comment",
        "add_casedocument",
    ],
    "Digitaliseringsstrateg": [
        *VIEW,
        "approve_case",
        "add_comment",
        "add_casedocument",
    ],
    "Systemförvaltare": None,  # every permission of the app, the override included
}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="procurement")
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
    permissions = Permission.objects.filter(content_type__app_label="procurement")
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        ("inventory", "0002_roles"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
