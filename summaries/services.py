"""Writes for evaluation summaries (rekap anev). See issue 5."""

from __future__ import annotations


def mark_stale_for_report(*, report) -> None:
    """Mark the summaries that include `report` stale, up the chain.

    Called by reports.services inside the transaction of every report transition
    (submit, return, accept), so the marks are committed with the change itself.
    """
