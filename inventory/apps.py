from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import figures, lookups

        lookups.register()
        figures.watch(self)
        post_migrate.connect(figures.install_after_migrate, sender=self)
