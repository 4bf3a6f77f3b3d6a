"""OpenAPI description of pamilu's API: every operation lists the errors it can answer.

All errors share one body (`Error`, see pamilu.api.errors); the codes listed are the
ones DRF and pamilu can really produce for that operation, so clients (and the
schemathesis run in the suite) can rely on them.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Nama field, kosong untuk galat umum.")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField()
    code = serializers.CharField()
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


class WarningItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Kode yang dikonfirmasi di confirm_warnings.")
    field = serializers.CharField()
    message = serializers.CharField()


class ConfirmWarningsErrorSerializer(ErrorSerializer):
    """The 422 of a NeedsConfirmation (pamilu.errors): the Error body plus the warnings."""

    warnings = WarningItemSerializer(many=True)


def error_response(description: str, serializer=ErrorSerializer) -> OpenApiResponse:
    """An operation's documented error answer: the shared Error body (or one extending it)."""
    return OpenApiResponse(serializer, description=description)


ERROR_DESCRIPTIONS = {
    "400": "Permintaan tidak valid (field dan alasan di `errors`).",
    "401": "Tidak terautentikasi, token dicabut atau kedaluwarsa.",
    "403": "Terautentikasi tetapi tidak berwenang.",
    "404": "Tidak ditemukan atau di luar lingkup satuan pengguna.",
    "405": "Metode tidak diizinkan.",
    "406": "Format jawaban yang diminta tidak tersedia.",
    "415": "Jenis isi permintaan tidak didukung.",
    "429": "Terlalu banyak permintaan; lihat header Retry-After.",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema plus the shared error responses of each operation."""

    def _error_codes(self) -> list[str]:
        codes = ["400", "404", "405", "406", "429"]
        if not any(isinstance(p, permissions.AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            response["description"] = ERROR_DESCRIPTIONS[code]
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Detik sebelum mencoba lagi.",
                    }
                }
            responses[code] = response
        return responses
