"""After the load run: in SQL, nothing lost or duplicated; the figures for the README.

    python bench/load_check.py PLAN.json RESULT.json
Exit status 1 when a report is missing or duplicated, a 5xx other than 503 was seen,
or a refusal came without Retry-After.
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


def main(plan_path: str, result_path: str) -> int:
    plan = json.load(open(plan_path))  # noqa: SIM115
    result = json.load(open(result_path))  # noqa: SIM115
    units = [k["unit"] for k in plan["kapolsek"]]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*), count(DISTINCT (unit_id, report_date)),
                      count(*) FILTER (WHERE status = 'submitted'),
                      count(DISTINCT unit_id)
               FROM reports_dailyreport
               WHERE operation_id = %s AND unit_id = ANY(%s) AND created_at >= %s""",
            [plan["operation"], units, plan["started"]],
        )
        rows, distinct, submitted, units_with_report = cursor.fetchone()
    created_ids = sorted(set(result["created"].values()))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reports_dailyreport WHERE id = ANY(%s)", [created_ids])
        (found,) = cursor.fetchone()
    status = result["status"]
    server_errors = {k: v for k, v in status.items() if k.endswith(tuple("50" + d for d in "0124"))}
    figures = {
        "kapolsek": len(units),
        "reports_in_db": rows,
        "distinct_unit_days": distinct,
        "submitted_in_db": submitted,
        "units_with_a_report": units_with_report,
        "created_answers": len(created_ids),
        "created_found_in_db": found,
        "submitted_answers": len(set(result["submitted"])),
        "refusals_429": sum(v for k, v in status.items() if k.endswith(" 429")),
        "refusals_503": sum(v for k, v in status.items() if k.endswith(" 503")),
        "refusal_slowest_s": round(result["refused_seconds_max"], 3),
        "missing_retry_after": result["missing_retry_after"],
        "server_errors_other_than_503": server_errors,
        "gave_up": result["gave_up"],
    }
    print(json.dumps(figures, indent=1))
    ok = (
        rows == distinct == units_with_report == len(created_ids)
        and found == len(created_ids)
        and submitted >= len(set(result["submitted"]))
        and not server_errors
        and result["missing_retry_after"] == 0
    )
    print("load check:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
