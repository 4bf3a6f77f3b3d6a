"""Builders for test data, one package for every test: units, operations, users with roles,
personnel and their warrants, posts, reports and API clients. Conftests turn them into
fixtures; a test module imports builders from here, never from a conftest.

Submodules hold the shared scenarios and their days: `tests.builders.reports` (DAY, NOON,
FULL), `tests.builders.summaries` (day D of reports, `make_scenario`, `daily`),
`tests.builders.dashboard` (NOW, FEB1, FEB2, `day_of_reports`).
"""

from tests.builders.api import csv_file, token_client, upload_csv
from tests.builders.org import ROLE, mabes, operation, person, unit, user
from tests.builders.personnel import (
    assigned,
    assignments,
    at,
    load_ranks,
    restore_ranks_after_module,
    warrant,
)
from tests.builders.posts import tps, warehouse
from tests.builders.reports import incident, report, set_status

__all__ = [
    "ROLE",
    "assigned",
    "assignments",
    "at",
    "csv_file",
    "incident",
    "load_ranks",
    "mabes",
    "operation",
    "person",
    "report",
    "restore_ranks_after_module",
    "set_status",
    "token_client",
    "tps",
    "unit",
    "upload_csv",
    "user",
    "warehouse",
    "warrant",
]
