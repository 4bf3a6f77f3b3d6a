"""The API side of bulk imports: request and report serializers, and the response."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.response import Response

from pamilu.api.csvfile import ImportReport
from pamilu.api.serializers import ScopedSerializer

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class ImportFileSerializer(ScopedSerializer):
    file = serializers.FileField(help_text="Berkas CSV UTF-8 (pemisah koma, titik koma atau tab).")
    only_valid = serializers.BooleanField(
        default=False,
        help_text="false (bawaan): tidak ada yang ditulis bila satu baris ditolak. "
        "true: tulis baris yang valid saja.",
    )

    def validate_file(self, value):
        if value.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError("Berkas lebih dari 50 MB.")
        return value


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="Nomor baris di berkas (baris 1 = judul kolom).")
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    total = serializers.IntegerField(help_text="Baris data yang dibaca.")
    written = serializers.IntegerField(help_text="Baris yang ditulis.")
    refused = serializers.IntegerField(help_text="Baris yang ditolak.")
    only_valid = serializers.BooleanField()
    errors = ImportErrorSerializer(many=True)


def run_import(func, **kwargs) -> Response:
    """Call an import service; 201 when rows were written, 422 when refused rows stopped it.

    A file-level problem (CsvFileError) is the central handler's 400 (pamilu.api.errors)."""
    report: ImportReport = func(**kwargs)
    body = report.as_dict()
    if report.written:
        code = status.HTTP_201_CREATED
        body.update(code="imported", detail=f"{report.written} baris ditulis.")
    elif report.errors:
        code = status.HTTP_422_UNPROCESSABLE_ENTITY
        body.update(
            code="import_refused",
            detail=f"{len(report.refused_lines)} baris ditolak; tidak ada yang ditulis.",
        )
    else:
        code = status.HTTP_200_OK
        body.update(code="empty", detail="Tidak ada baris data.")
    body["status"] = code
    return Response(body, status=code)


IMPORT_RESPONSES = {
    200: ImportReportSerializer,
    201: ImportReportSerializer,
    422: ImportReportSerializer,
}
