"""After the load run: in SQL, every intended report exists exactly once; the figures.

    python bench/load_check.py PLAN.json RESULT.json

A report is intended once its kapolsek sent the first request for it. It passes when,
for every intended report, its unit has exactly one report for that day in the
operation, sent (status submitted or later), and it is the one the client was answered
with (the draft it completed, or the id of the create answer); when no delivery was
still being resent at the end, none was refused with a 4xx, no 5xx other than 503 came,
every 429/503 carried Retry-After, and the 95th percentile of the 429/503 answers is
under LOAD_REFUSAL_P95_MAX seconds (1.0). Exit status 1 otherwise.
"""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pamilu.settings")
django.setup()

from django.db import connection  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def in_sql(plan: dict, result: dict) -> dict:
    """One query: per intended unit-day, the rows there are and their ids and statuses."""
    intended = [k for k in plan["kapolsek"] if k["code"] in result["intended"]]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT want.unit_id, count(r.id), array_agg(r.id) FILTER (WHERE r.id IS NOT NULL),
                      count(r.id) FILTER (WHERE r.status <> 'draft')
               FROM unnest(%s::bigint[], %s::date[]) AS want(unit_id, day)
               LEFT JOIN reports_dailyreport r
                 ON r.operation_id = %s AND r.unit_id = want.unit_id AND r.report_date = want.day
               GROUP BY want.unit_id""",
            [
                [k["unit"] for k in intended],
                [k["day"] for k in intended],
                plan["operation"],
            ],
        )
        rows = {unit: (n, ids or [], sent) for unit, n, ids, sent in cursor.fetchall()}
    missing, duplicated, unsent, other_id = [], [], [], []
    for k in intended:
        n, ids, sent = rows.get(k["unit"], (0, [], 0))
        answered = result["done"].get(k["code"]) or result["created"].get(k["code"]) or k["draft"]
        if n == 0:
            missing.append(k["code"])
        elif n > 1:
            duplicated.append(k["code"])
        elif not sent:
            unsent.append(k["code"])
        elif answered is not None and ids != [answered]:
            other_id.append(k["code"])
    return {
        "intended": len(intended),
        "exactly_once_and_sent": len(intended)
        - len(missing)
        - len(duplicated)
        - len(unsent)
        - len(other_id),
        "missing": missing,
        "duplicated": duplicated,
        "not_sent": unsent,
        "not_the_answered_report": other_id,
    }


def figures(result: dict) -> dict:
    times = result["times"]
    requests = sum(len(v) for v in times.values())
    seconds = max(1.0, result["ended"] - result["started"])
    kinds: dict[str, list[float]] = {}
    answered: dict[str, list[float]] = {}
    refused: list[float] = []
    server_errors = {}
    for key, values in times.items():
        kind, status = key.rsplit(" ", 1)
        kinds.setdefault(kind, []).extend(values)
        if status in ("429", "503"):
            refused.extend(values)
        else:
            answered.setdefault(kind, []).extend(values)
        if status.startswith("5") and status != "503":
            server_errors[key] = len(values)

    def ms(values):
        return {
            "n": len(values),
            "p50_ms": percentile(values, 50),
            "p95_ms": percentile(values, 95),
        }

    return {
        "requests": requests,
        "seconds": round(seconds, 1),
        "requests_per_s": round(requests / seconds, 1),
        "by_kind_all_answers": {k: ms(v) for k, v in sorted(kinds.items())},
        "by_kind_not_refused": {k: ms(v) for k, v in sorted(answered.items())},
        "refused_429_503": ms(refused),
        "refusals_429": sum(len(v) for k, v in times.items() if k.endswith(" 429")),
        "refusals_503": sum(len(v) for k, v in times.items() if k.endswith(" 503")),
        "lost_answers_resent": result["lost_answers"],
        "resends": result["resends"],
        "server_errors_other_than_503": server_errors,
        "missing_retry_after": result["missing_retry_after"],
        "status": dict(sorted(result["status"].items())),
    }


def main(plan_path: str, result_path: str) -> int:
    plan = json.load(open(plan_path))  # noqa: SIM115
    result = json.load(open(result_path))  # noqa: SIM115
    check = in_sql(plan, result)
    figs = figures(result)
    limit_ms = 1000 * float(os.environ.get("LOAD_REFUSAL_P95_MAX", "1.0"))
    out = {
        **figs,
        "kapolsek_planned": len(plan["kapolsek"]),
        "delivered": len(result["done"]),
        "still_pending_at_end": result["pending"],
        "refused_4xx": result["refused"],
        "sql": check,
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(out, indent=1))
    reasons = []
    if check["exactly_once_and_sent"] != check["intended"]:
        reasons.append("an intended report is missing, duplicated, unsent or another")
    if result["pending"]:
        reasons.append(f"{len(result['pending'])} deliveries still resending at the end")
    if result["refused"]:
        reasons.append(f"{len(result['refused'])} deliveries refused with a 4xx")
    if figs["server_errors_other_than_503"]:
        reasons.append("5xx other than 503")
    if figs["missing_retry_after"]:
        reasons.append("429/503 without Retry-After")
    if figs["refused_429_503"]["p95_ms"] > limit_ms:
        reasons.append(f"429/503 p95 {figs['refused_429_503']['p95_ms']} ms > {limit_ms:.0f} ms")
    print("load check:", "OK" if not reasons else "FAILED: " + "; ".join(reasons))
    return 0 if not reasons else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
