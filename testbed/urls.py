"""Bench-only routes (mounted under /bench/ when settings.PAMILU_BENCH is on)."""

from django.urls import path

from testbed.floor import FloorReportView

urlpatterns = [path("floor/report/", FloorReportView.as_view(), name="bench_floor_report")]
