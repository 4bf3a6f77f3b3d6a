"""/api/v1/: each app contributes its own routes in `<app>/api_urls.py`."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api_urls")),
    path("", include("operations.api_urls")),
    path("", include("personnel.api_urls")),
    path("", include("reports.api_urls")),
    path("", include("summaries.api_urls")),
    path("", include("dashboard.api_urls")),
]
