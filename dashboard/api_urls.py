from django.urls import path

from dashboard import api

urlpatterns: list = [
    path("dashboard/", api.dashboard, name="api-dashboard"),
]
