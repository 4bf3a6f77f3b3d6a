from django.urls import URLPattern, URLResolver, path

from dashboard import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("dashboard/", api.dashboard, name="api-dashboard"),
]
