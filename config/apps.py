from django.apps import AppConfig


class InventeraConfig(AppConfig):
    """The project's own wiring: the security log's signal receivers."""

    name = "config"
    verbose_name = "Inventera"

    def ready(self):
        from . import security

        security.connect_signals()
