from django.apps import AppConfig


class TestbedConfig(AppConfig):
    """The national test bed: a generator of a country-sized data set and the bench-only
    floor endpoint. It sits above every other app (like the demo) and adds no models."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "testbed"
    verbose_name = "Test bed"
