"""Let the roles attach a trial's log to a case as evidence for its need.

Whoever may comment on a case may attach or remove a trial (the services check which
cases); the administrator holds every permission of the model. The lists are written out
here, not imported, so this migration means the same thing forever.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EVIDENCE = ["view_trialevidence", "add_trialevidence", "delete_trialevidence"]
ROLES = {
    "Bibliotekschef": EVIDENCE,
    "IT": EVIDENCE,
    "Digitaliseringsstrateg": EVIDENCE,
    "Systemförvaltare": [*EVIDENCE, "change_trialevidence"],
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
    permissions = Permission.objects.filter(content_type__app_label="procurement")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        found = list(permissions.filter(codename__in=codenames))
        missing = set(codenames) - {p.codename for p in found}
        if missing:
            raise RuntimeError(f"unknown permissions for {name}: {sorted(missing)}")
        group.permissions.add(*found)


def remove_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="procurement", codename__in=codenames
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0004_trial_evidence"),
        ("inventory", "0010_floor_roles"),
    ]

    operations = [migrations.RunPython(add_permissions, remove_permissions)]
