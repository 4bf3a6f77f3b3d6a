"""Pagination whose count never costs more than a page: a capped count.

``CappedPaginator`` counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT
cap + 1)``, read through the index that serves the list's order): below the cap the
count is exact, above it the count is ``cap`` with ``capped`` set, shown as "1000+".
Pages past the cap stay reachable (``?page=N``): a page reads one row more than it
shows to know whether a next page exists, so nothing counts the whole table.
"""

from __future__ import annotations

from functools import cached_property
from math import ceil

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

COUNT_CAP = 1000


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class CappedPaginator(Paginator):
    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *args, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if cap is not None:
            self.cap = cap

    @cached_property
    def _probe(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self._probe > self.cap

    @cached_property
    def count(self) -> int:
        """Exact up to `cap`; `cap` when there are more (see `capped`)."""
        return min(self._probe, self.cap)

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, ceil(self.count / self.per_page))

    def validate_number(self, number) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > self.num_pages and not self.capped:
            if number == 1 and self.allow_empty_first_page:
                return number
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def get_page(self, number) -> CappedPage:
        """Like Django's, also for a page past the end of a capped list (found only by
        reading it): the last page the cap vouches for, never an error."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(self.num_pages)

    def page(self, number) -> CappedPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
