"""Locust: 500 kapolsek send their report around the deadline while command centers poll.

Started by bench/load.sh (headless, 127.0.0.1 only, bounded by --run-time). Each
kapolsek creates today's report with an Idempotency-Key and submits it, retrying after
`Retry-After` when told 429/503 (as the offline queue does), then checks its list now
and then. Command centers poll the dashboard API of their unit (Mabes, Polda, Polres).
Counts go to $LOAD_RESULT (JSON) for the SQL check afterwards.
"""

from __future__ import annotations

import collections
import itertools
import json
import os
import random
import threading
import time
import uuid

from locust import HttpUser, between, events, task

PLAN = json.load(open(os.environ["LOAD_PLAN"]))  # noqa: SIM115 - read once at import
_kapolsek = itertools.cycle(PLAN["kapolsek"])
_kapolsek_lock = threading.Lock()
_taken = 0
STATS = {
    "status": collections.Counter(),
    "missing_retry_after": 0,
    "refused_seconds_max": 0.0,
    "created": {},
    "submitted": [],
    "gave_up": 0,
}


def _note(name: str, response) -> None:
    STATS["status"][f"{name} {response.status_code}"] += 1
    if response.status_code in (429, 503):
        if not response.headers.get("Retry-After"):
            STATS["missing_retry_after"] += 1
        elapsed = response.elapsed.total_seconds()
        STATS["refused_seconds_max"] = max(STATS["refused_seconds_max"], elapsed)


def _send(client, method: str, url: str, name: str, *, attempts: int = 30, **kwargs):
    """One logical request, retried after Retry-After on 429/503. Returns the last answer."""
    for _ in range(attempts):
        with client.request(method, url, name=name, catch_response=True, **kwargs) as response:
            _note(name, response)
            if response.status_code in (429, 503):
                if not response.headers.get("Retry-After"):
                    response.failure("refused without Retry-After")
                else:
                    response.success()  # an honest "later", not an error
                wait = min(float(response.headers.get("Retry-After") or 1), 5.0)
                time.sleep(wait * random.uniform(0.5, 1.0))
                continue
            if response.status_code == 0:
                # Connection reset or timed out: the server may or may not have done it;
                # send it again (same Idempotency-Key), as the offline queue does.
                STATS["status"][f"{name} connection-error"] += 1
                response.success()
                time.sleep(random.uniform(1, 3))
                continue
            if response.status_code >= 500:
                response.failure(f"server error {response.status_code}")
            return response
    STATS["gave_up"] += 1
    return None


class Kapolsek(HttpUser):
    fixed_count = len(PLAN["kapolsek"])
    wait_time = between(5, 15)

    def on_start(self):
        global _taken
        with _kapolsek_lock:
            if _taken >= len(PLAN["kapolsek"]):
                self.me = None
                return
            self.me = next(_kapolsek)
            _taken += 1
        self.headers = {"Authorization": f"Token {self.me['token']}"}
        self.report_id = None
        self.key = str(uuid.uuid4())
        time.sleep(random.uniform(0, 20))  # they do not all press "send" in the same second

    @task
    def send_or_check(self):
        if self.me is None:
            return
        if self.report_id is None:
            body = {"operation": PLAN["operation"], "personnel_on_duty": random.randint(4, 30)}
            response = _send(
                self.client,
                "POST",
                "/api/v1/reports/",
                "create report",
                json=body,
                headers={**self.headers, "Idempotency-Key": self.key},
            )
            if response is None or response.status_code not in (200, 201):
                return
            self.report_id = response.json()["id"]
            STATS["created"][self.me["code"]] = self.report_id
            submitted = _send(
                self.client,
                "POST",
                f"/api/v1/reports/{self.report_id}/submit/",
                "submit report",
                headers=self.headers,
            )
            if submitted is not None and submitted.status_code == 200:
                STATS["submitted"].append(self.report_id)
        else:
            _send(self.client, "GET", "/api/v1/reports/", "own reports", headers=self.headers)


class CommandCenter(HttpUser):
    fixed_count = int(os.environ.get("LOAD_CENTERS", "40"))
    wait_time = between(2, 5)

    def on_start(self):
        self.center = random.choice(PLAN["centers"])
        self.headers = {"Authorization": f"Token {self.center['token']}"}

    @task
    def dashboard(self):
        _send(
            self.client,
            "GET",
            f"/api/v1/dashboard/?unit={self.center['code']}",
            f"dashboard {self.center['kind']}",
            headers=self.headers,
            attempts=1,
        )


@events.quitting.add_listener
def _write_result(environment, **kwargs):
    result = {**STATS, "status": dict(STATS["status"])}
    with open(os.environ["LOAD_RESULT"], "w") as out:
        json.dump(result, out, indent=1, sort_keys=True)
