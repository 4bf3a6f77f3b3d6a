from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader: the top room, above every app it fills (nothing imports it)."""

    name = "demo"
    verbose_name = "Demo"
