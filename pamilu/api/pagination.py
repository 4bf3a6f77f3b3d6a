from rest_framework.pagination import PageNumberPagination

from pamilu.paging import CappedPaginator


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class CappedCountPagination(Pagination):
    """Page numbers with a capped `count` (pamilu.paging): exact up to 1000, else 1000 with
    `count_capped: true`. The count never costs more than a page; deeper pages stay
    reachable through `next`."""

    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            "Exact up to 1000; 1000 when there are more (then count_capped is true)."
        )
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "true: more rows than count; follow `next` to reach them.",
        }
        schema["required"] = [*schema.get("required", []), "count_capped"]
        return schema
