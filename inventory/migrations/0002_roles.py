"""Create the four roles as groups and give them the inventory's permissions.

Procurement adds its own permissions to the same groups in its migrations. The lists
are written out here, not imported, so this migration means the same thing forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Bibliotekschef": [
        "view_asset",
        "view_maintenanceentry",
        "view_library",
        "view_location",
    ],
    "IT": [
        "view_asset",
        "add_asset",
        "change_asset",
        "change_asset_status",
        "bulk_change_asset",
        "view_maintenanceentry",
        "add_maintenanceentry",
        "view_library",
        "view_location",
        "access_all_libraries",
    ],
    "Digitaliseringsstrateg": [
        "view_asset",
        "view_maintenanceentry",
        "view_library",
        "view_location",
        "access_all_libraries",
    ],
    "Systemförvaltare": None,  # every permission of the app
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; make sure the
    # inventory's exist now so that they can be given to the groups.
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
        if codenames is None:
            group.permissions.add(*inventory_permissions)
            continue
        permissions = list(inventory_permissions.filter(codename__in=codenames))
        missing = set(codenames) - {p.codename for p in permissions}
        if missing:
            raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
