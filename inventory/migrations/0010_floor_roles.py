"""Give the roles the permissions of the work on the floor: loans, stocktakes, trials.

Library managers and IT book, lend and take back lendable equipment, run stocktakes and
log trial sessions (a library manager only in their own libraries, which the services
check); the strategist reads them. The administrator holds them all. The lists are
written out here, not imported, so this migration means the same thing forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WORK = [
    "view_loan",
    "add_loan",
    "change_loan",
    "view_stocktake",
    "add_stocktake",
    "change_stocktake",
    "view_trialsession",
    "add_trialsession",
]
ROLES = {
    "Bibliotekschef": WORK,
    "IT": WORK,
    "Digitaliseringsstrateg": ["view_loan", "view_stocktake", "view_trialsession"],
    "Systemförvaltare": [
        f"{action}_{model}"
        for model in ("loan", "stocktake", "stocktakeline", "trialsession")
        for action in ("view", "add", "change", "delete")
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
        ("inventory", "0009_floor_stocktakes_loans_trials"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
