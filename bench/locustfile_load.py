"""Locust: kapolsek send their report around the deadline while command centers poll.

Started by bench/load.sh (headless, 127.0.0.1 only, bounded by --run-time). Each
kapolsek delivers one report the way the offline app's outbox does
(static/pamilu/js/outbox.js): create it (or complete today's draft), then submit, each
step with its own Idempotency-Key made once on the phone. A step whose answer is lost
(connection reset, timeout) or refused (429, 503, other 5xx) is sent again with the
same key after `Retry-After` (or a backoff), until it gets an answer; a 422 asking to
confirm send warnings is confirmed and sent again. A delivery is one locust task, so at
the end of --run-time locust waits (--stop-timeout, bounded) for the outstanding
resends. After delivering, the kapolsek checks its list now and then. Command centers
poll the dashboard API of their unit (Mabes, Polda, Polres) at the dashboard page's
refresh (60 s). FastHttpUser: the client shares the 2 cores with the server, so it
must cost little.

Every answer's time is kept by kind and status for the figures; deliveries (intended,
done, still pending at the end, refused with a 4xx) go to $LOAD_RESULT (JSON) for the
SQL check afterwards (bench/load_check.py).
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

from locust import FastHttpUser, between, events, task

PLAN = json.load(open(os.environ["LOAD_PLAN"]))  # noqa: SIM115 - read once at import
SPREAD = float(os.environ.get("LOAD_SPREAD", "60"))  # seconds over which they press "send"
TIMEOUT = float(os.environ.get("LOAD_CLIENT_TIMEOUT", "30"))  # the phone gives up waiting
POLL = float(os.environ.get("LOAD_POLL_SECONDS", "60"))  # a command center's refresh
_kapolsek = iter(PLAN["kapolsek"])
_kapolsek_lock = threading.Lock()
_centers = itertools.cycle(PLAN["centers"])
STATS = {
    "status": collections.Counter(),
    "times": collections.defaultdict(list),  # "kind status" -> [ms]
    "missing_retry_after": 0,
    "intended": {},  # code -> "create" | "draft"
    "done": {},  # code -> report id, once the submit answered 200
    "created": {},  # code -> report id from the create answer
    "pending": {},  # code -> the step still being resent
    "refused": {},  # code -> [step, status, body] of a 4xx that ended the delivery
    "lost_answers": 0,  # connection errors and timeouts (resent with the same key)
    "resends": 0,
    "started": time.time(),
}


@events.request.add_listener
def _timed(request_type, name, response_time, response_length, response=None, exception=None, **kw):
    status = getattr(response, "status_code", 0) or 0
    STATS["times"][f"{name} {status}"].append(round(response_time, 1))


def _send(client, method: str, url: str, name: str, *, headers: dict, retry: bool, **kwargs):
    """One logical request. With `retry`, a lost or refused answer is sent again (same
    headers, so the same Idempotency-Key) until one comes; returns it."""
    attempt = 0
    while True:
        attempt += 1
        with client.request(
            method, url, name=name, headers=headers, catch_response=True, **kwargs
        ) as response:
            code = response.status_code
            STATS["status"][f"{name} {code}"] += 1
            wait = None
            if code in (429, 503):
                after = response.headers.get("Retry-After")
                if not after:
                    STATS["missing_retry_after"] += 1
                    response.failure("refused without Retry-After")
                else:
                    response.success()  # an honest "later", not an error
                wait = float(after) if after and after.isdigit() else 5.0
            elif code == 0:
                # Reset or timed out: the server may or may not have done it.
                STATS["lost_answers"] += 1
                response.success()
                wait = min(30.0, 2.0 * 2 ** min(attempt, 4))
            elif code >= 500:
                response.failure(f"server error {code}")
                wait = min(30.0, 2.0 * 2 ** min(attempt, 4))
            else:
                response.success()
            if wait is None:
                return response
            if not retry:
                return None
        STATS["resends"] += 1
        time.sleep(wait * random.uniform(1.0, 1.5))


class Kapolsek(FastHttpUser):
    fixed_count = len(PLAN["kapolsek"])
    network_timeout = connection_timeout = TIMEOUT
    wait_time = between(10, 20)

    def on_start(self):
        with _kapolsek_lock:
            self.me = next(_kapolsek, None)
        if self.me is None:
            return
        self.headers = {"Authorization": f"Token {self.me['token']}"}
        self.outbox_id = str(uuid.uuid4())  # the outbox item's id: its keys derive from it
        self.report_id = self.me["draft"]
        self.delivered = False
        time.sleep(random.uniform(0, SPREAD))  # they do not all press "send" at once

    def _refused(self, step: str, response) -> None:
        STATS["refused"][self.me["code"]] = [
            step,
            response.status_code,
            (response.text or "")[:300],
        ]
        STATS["pending"].pop(self.me["code"], None)
        self.delivered = True  # nothing more to send: the load check reports it

    def _deliver(self) -> None:
        code = self.me["code"]
        STATS["intended"][code] = "draft" if self.me["draft"] else "create"
        STATS["pending"][code] = "create"
        body = self.me["body"]
        if self.me["draft"] is None:
            r = _send(
                self.client,
                "POST",
                "/api/v1/reports/",
                "create report",
                json=body,
                headers={**self.headers, "Idempotency-Key": f"{self.outbox_id}:create"},
                retry=True,
            )
            if r.status_code != 201:
                return self._refused("create", r)
            self.report_id = r.json()["id"]
            STATS["created"][code] = self.report_id
        else:
            STATS["pending"][code] = "update"
            r = _send(
                self.client,
                "PATCH",
                f"/api/v1/reports/{self.report_id}/",
                "complete draft",
                json=body,
                headers=self.headers,
                retry=True,
            )
            if r.status_code != 200:
                return self._refused("update", r)
        STATS["pending"][code] = "submit"
        submit_url = f"/api/v1/reports/{self.report_id}/submit/"
        r = _send(
            self.client,
            "POST",
            submit_url,
            "submit report",
            json={},
            headers={**self.headers, "Idempotency-Key": f"{self.outbox_id}:submit"},
            retry=True,
        )
        if r.status_code == 422 and r.json().get("warnings"):
            codes = sorted({w["code"] for w in r.json().get("warnings", [])})
            r = _send(
                self.client,
                "POST",
                submit_url,
                "submit report",
                json={"confirm_warnings": codes},
                headers={**self.headers, "Idempotency-Key": f"{self.outbox_id}:submit:confirmed"},
                retry=True,
            )
        if r.status_code != 200:
            return self._refused("submit", r)
        STATS["done"][code] = self.report_id
        STATS["pending"].pop(code, None)
        self.delivered = True

    @task
    def send_or_check(self):
        if self.me is None:
            return
        if not self.delivered:
            self._deliver()  # one task: the end of the run waits for its resends
        else:
            _send(
                self.client,
                "GET",
                "/api/v1/reports/?ordering=-report_date",
                "own reports",
                headers=self.headers,
                retry=False,
            )


class CommandCenter(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_CENTERS", "120"))
    # the dashboard page polls every DASHBOARD_REFRESH_SECONDS (60)
    wait_time = between(0.8 * POLL, 1.2 * POLL)
    network_timeout = connection_timeout = TIMEOUT

    def on_start(self):
        self.center = next(_centers)
        self.headers = {"Authorization": f"Token {self.center['token']}"}

    @task
    def dashboard(self):
        _send(
            self.client,
            "GET",
            f"/api/v1/dashboard/?unit={self.center['code']}",
            f"dashboard {self.center['kind']}",
            headers=self.headers,
            retry=False,  # a poll: the next one comes anyway
        )


@events.quitting.add_listener
def _write_result(environment, **kwargs):
    result = {**STATS, "status": dict(STATS["status"]), "times": dict(STATS["times"])}
    result["ended"] = time.time()
    with open(os.environ["LOAD_RESULT"], "w") as out:
        json.dump(result, out, sort_keys=True)
