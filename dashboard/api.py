"""GET /api/v1/dashboard/: the command-center dashboard's numbers as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from dashboard.build import build
from dashboard.query import resolve_query
from dashboard.serializers import DashboardSerializer

if TYPE_CHECKING:
    from accounts.models import User


@extend_schema(
    operation_id="dashboard_retrieve",
    summary="Dashboard of an operation for a unit's subtree",
    description=(
        "Reporting compliance (on time, late, missing) per direct child of `unit`, the "
        "units still missing with their local deadline, personnel on duty and committed "
        "against the TPS security pattern, incidents, map markers and daily trends. "
        "Without `day`, each unit is counted for its own local today (WIB/WITA/WIT). "
        "Without an operation or a unit only `operation`, `unit`, `day`, "
        "`each_unit_local_day` and `generated_at` are present."
    ),
    parameters=[
        OpenApiParameter(
            "operation", str, description="Operation code (default: running one; an id works)"
        ),
        OpenApiParameter("unit", str, description="Unit code or id within your scope"),
        OpenApiParameter("day", OpenApiTypes.DATE, description="Calendar day (ISO)"),
    ],
    responses={200: DashboardSerializer},
    tags=["dashboard"],
)
@api_view(["GET"])
def dashboard(request: Request) -> Response:
    query = resolve_query(request)
    if query.invalid_day:
        raise ValidationError({"day": [_("Tanggal tidak valid; gunakan format YYYY-MM-DD.")]})
    user = cast("User", request.user)  # signed in: the API requires authentication
    return Response(DashboardSerializer(build(user, query)).data)
