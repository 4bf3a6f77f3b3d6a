"""The OpenAPI schema and Swagger UI: for signed-in users only (deny by default), offline.

Swagger UI comes from drf-spectacular-sidecar (no CDN); the split view serves its
start-up script as a file, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]


class DocsView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


schema = SchemaView.as_view(api_version="v1")
docs = login_required(DocsView.as_view(url_name="api-schema"))
