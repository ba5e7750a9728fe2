"""Give the roles the fault reports' permissions.

Every role that sees assets may see and report faults; IT (and the administrator, who
holds every permission of the app) acknowledges them, sends them to repair and closes
them. The lists are written out here, not imported, so this migration means the same
thing forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Bibliotekschef": ["view_faultreport", "add_faultreport"],
    "IT": ["view_faultreport", "add_faultreport", "change_faultreport"],
    "Digitaliseringsstrateg": ["view_faultreport", "add_faultreport"],
    "Systemförvaltare": [
        "view_faultreport",
        "add_faultreport",
        "change_faultreport",
        "delete_faultreport",
    ],
}


def add_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        # Historical app configs have no models module, which create_permissions needs.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    inventory_permissions = Permission.objects.filter(content_type__app_label="inventory")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = list(inventory_permissions.filter(codename__in=codenames))
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="inventory", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_fault_reports"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
