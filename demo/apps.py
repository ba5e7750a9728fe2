from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo municipality and `manage.py seed_demo`, which loads it through the real
    services. No models and no URLs: a server leaves it out of INSTALLED_APPS (the DEMO
    setting), and nothing in inventory, procurement or reports imports it."""

    name = "demo"
