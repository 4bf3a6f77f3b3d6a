"""Schemathesis against the live /api/schema/: no server error, no response that
contradicts the schema. Bounded: a fixed number of examples per operation and a time
budget for the whole run (the suite stays fast); derandomized, so a failure repeats.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time

import pytest
import schemathesis
from django.apps import apps
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import token_issue
from operations.models import PostKind, Vulnerability
from operations.services import post_create
from pamilu import actors
from tests import builders

# Examples per operation and mode shrink as operations are added (about 450 requests in
# all). Every operation gets its positive run first; the time budget may cut the negative
# runs short on a slow machine (what was left out is printed).
TOTAL_EXAMPLES = 450
BUDGET_SECONDS = 75
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _load_ranks():
    importlib.import_module("personnel.migrations.0002_ranks").load(apps, None)


@pytest.fixture
def live_data(live_server, tree, operation, personas):
    # A transactional test starts from a flushed database: the data migration's ranks
    # may be gone (another transactional test ran before on this worker).
    _load_ranks()
    post_create(
        operation=operation,
        unit=tree.sirimau,
        kind=PostKind.TPS,
        code="8171011001001",
        name="TPS 001",
        vulnerability=Vulnerability.RAWAN,
        by=actors.SYSTEM,
        channel="system",
    )
    builders.person(tree.sirimau, nrp="85030001")
    _token, key = token_issue(
        user=personas.admin,
        expiry=timezone.now() + dt.timedelta(days=1),
        by=personas.admin,
        channel="system",
    )
    return {"Authorization": f"Token {key}"}


@pytest.mark.django_db(transaction=True)
def test_schemathesis_no_server_error_no_schema_violation(live_server, live_data):
    headers = live_data
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=headers, timeout=30
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    positive = max(4, min(12, TOTAL_EXAMPLES * 3 // 4 // len(operations)))
    negative = max(2, min(4, TOTAL_EXAMPLES // 4 // len(operations)))
    started = time.monotonic()
    failures: list[str] = []
    tested: list[str] = []
    plan = [(op, GenerationMode.POSITIVE, positive) for op in operations] + [
        (op, GenerationMode.NEGATIVE, negative) for op in operations
    ]
    for operation, mode, examples in plan:
        if time.monotonic() - started > BUDGET_SECONDS:
            print(f"schemathesis: time budget spent, not run: {operation.label} ({mode.value})")
            continue

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            case.call_and_validate(
                base_url=live_server.url, headers=headers, checks=CHECKS, timeout=30
            )

        try:
            run()
        except Exception as exc:  # every failure is reported below
            failures.append(f"{operation.label} ({mode.value}): {str(exc)[:2000]}")
        tested.append(f"{operation.label} ({mode.value})")
    print(
        f"schemathesis: {len(tested)} runs ({len(operations)} operations) in {time.monotonic() - started:.0f} s"
    )
    assert failures == []
    positive_runs = [label for label in tested if label.endswith("(positive)")]
    assert len(positive_runs) == len(operations), f"time budget spent after {len(tested)} runs"
