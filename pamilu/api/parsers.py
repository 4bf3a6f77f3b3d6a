"""Request parsers of the API: JSON everywhere, multipart only where a file is uploaded.

`BoundedJSONParser` is the default (settings.REST_FRAMEWORK); the upload endpoints
(attachments, CSV imports) take `parser_classes=UPLOAD_PARSERS`, so the schema offers
exactly `application/json` or `multipart/form-data` for each operation.

Django's body limit holds for JSON too: Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE only when a form body is read through
`request.POST`/`request.body`; DRF streams JSON past it. A body over the limit is refused
before it is read, with the API's JSON error naming the limit (pamilu.api.errors).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from rest_framework.parsers import JSONParser, MultiPartParser


def check_length(parser_context) -> None:
    request = (parser_context or {}).get("request")
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if request is None or limit is None:
        return
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        raise RequestDataTooBig("Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.")


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        check_length(parser_context)
        return super().parse(stream, media_type, parser_context)


# Django enforces DATA_UPLOAD_MAX_MEMORY_SIZE on a multipart body's non-file parts itself.
UPLOAD_PARSERS = [MultiPartParser]
