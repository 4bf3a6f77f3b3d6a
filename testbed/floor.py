"""The benchmark's floor for report submission: the least a token-authenticated DRF
endpoint can do to accept a report, one row in one transaction. Mounted only when the
bench-only setting ``PAMILU_BENCH`` is on (never in production)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from reports.models import DailyReport, ReportStatus


class _FloorInput(serializers.Serializer):
    operation = serializers.IntegerField(min_value=1)
    report_date = serializers.DateField()
    personnel_on_duty = serializers.IntegerField(min_value=0, default=0)


class FloorReportView(APIView):
    """POST {operation, report_date, personnel_on_duty}: insert a sent report of the user's
    unit. Same authentication (token) and permission as /api/v1/, no throttle."""

    throttle_classes: list[type[BaseThrottle]] = []

    def post(self, request):
        data = _FloorInput(data=request.data)
        data.is_valid(raise_exception=True)
        now = timezone.now()
        with transaction.atomic():
            report = DailyReport.objects.create(
                operation_id=data.validated_data["operation"],
                unit_id=request.user.unit_id,
                report_date=data.validated_data["report_date"],
                personnel_on_duty=data.validated_data["personnel_on_duty"],
                status=ReportStatus.SUBMITTED,
                submitted_at=now,
                first_submitted_at=now,
                created_by=request.user,
            )
        return Response({"id": report.pk, "at": now.isoformat()}, status=status.HTTP_201_CREATED)
