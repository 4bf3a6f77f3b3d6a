"""PostgreSQL stopped (a real cluster this test started, stops and starts again).

Fault: the test copies its database into a throwaway PostgreSQL cluster, points the
app's connection at it, then stops that server with `pg_ctl stop -m fast`. Seen
before the fix: every page, the API and /health/ answered Django's HTML 500 page.
Recovery afterwards must need no restart: the same process answers 200 once the
server is back.
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import Client

from tests.builders import token_client
from tests.servers import PostgresCluster, pg_tool, run


@pytest.fixture
def own_database(transactional_db, personas):
    """The test database copied into a cluster of this test's own, and the app on it."""
    conn = connections["default"]
    if conn.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (scripts/test)")
    source = dict(conn.settings_dict)
    cluster = PostgresCluster().start()
    target = source["NAME"]
    run(
        [pg_tool("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", target],
    )
    dump = run(
        [
            pg_tool("pg_dump"),
            "-Fc",
            "-h",
            source["HOST"] or "127.0.0.1",
            "-p",
            str(source["PORT"] or 5432),
            "-U",
            source["USER"] or "postgres",
            source["NAME"],
        ],
        capture_output=True,
    ).stdout
    run(
        [
            pg_tool("pg_restore"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-d",
            target,
        ],
        input=dump,
    )
    conn.close()
    conn.settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port))
    try:
        yield cluster
    finally:
        conn.close()
        conn.settings_dict.update(HOST=source["HOST"], PORT=source["PORT"])
        cluster.close()


def test_pages_api_and_health_answer_503_while_postgresql_is_stopped_and_recover(
    own_database, personas, settings
):
    settings.PAMILU_RETRY_AFTER_SECONDS = 15
    page = Client()
    page.force_login(personas.kapolsek_a)
    api = token_client(personas.kapolsek_a)
    assert page.get("/reports/").status_code == 200
    assert api.get("/api/v1/reports/").status_code == 200

    own_database.stop()

    html = page.get("/reports/")
    assert html.status_code == 503
    assert html["Retry-After"] == "15"
    assert html["Content-Type"] == "text/html; charset=utf-8"
    text = html.content.decode()
    assert "Layanan sementara terganggu" in text
    assert "Coba lagi dalam 15 detik" in text

    json = api.get("/api/v1/reports/")
    assert json.status_code == 503
    assert json["Retry-After"] == "15"
    assert json.json() == {
        "status": 503,
        "code": "database_unavailable",
        "detail": "Basis data sedang tidak dapat dihubungi. Coba lagi sebentar lagi.",
        "errors": [],
    }
    submit = api.post("/api/v1/reports/1/submit/")
    assert submit.status_code == 503

    health = Client().get("/health/")
    assert health.status_code == 503
    assert health["Retry-After"] == "15"
    assert health.json()["status"] == "down"

    # Back without restarting anything in this process.
    own_database.start()
    assert page.get("/reports/").status_code == 200
    assert api.get("/api/v1/reports/").status_code == 200
    health = Client().get("/health/")
    assert health.status_code == 200
    assert health.json()["checks"]["database"]["ok"] is True


def test_health_lists_each_dependency(db, client):
    body = client.get("/health/").json()
    assert sorted(body["checks"]) == ["beat", "database", "redis", "stale_summaries"]
    assert body["checks"]["beat"]["ok"] is False  # no periodic task has ever run here
    assert body["status"] == "degraded"
