"""The command-center dashboard: compliance per unit's own day, drill-down, scope.

The clock stands at 16:30 UTC on 1 February 2024: 23:30 WIB (Banten still on the 1st),
00:30 WITA and 01:30 WIT (Sulsel and Maluku already on the 2nd).
"""

import datetime as dt
from dataclasses import asdict

import pytest

from dashboard import selectors as board
from operations.models import Vulnerability
from tests import builders
from tests.builders.dashboard import FEB1, FEB2


def _get(client, user, **params):
    client.force_login(user)
    return client.get("/dashboard/", params)


def _rows(response) -> dict:
    return {
        row["unit"].code: {
            k: row[k] for k in ("total", "on_time", "late", "missing", "returned", "own")
        }
        for row in response.context["rows"]
    }


def test_compliance_national_counts_each_unit_on_its_own_day(client, personas, day_of_reports):
    response = _get(client, personas.national)
    assert response.status_code == 200
    assert asdict(response.context["compliance"]) == {
        "total": 7,
        "on_time": 3,  # Sirimau, Ambon (returned after an on-time submission), Pandeglang
        "late": 1,  # Sinjai Utara
        "missing": 3,  # Nusaniwe (draft), Sinjai (only yesterday's), Labuan (nothing)
        "returned": 1,
    }
    assert _rows(response) == {
        "POLDA-BANTEN": {
            "total": 2,
            "on_time": 1,
            "late": 0,
            "missing": 1,
            "returned": 0,
            "own": False,
        },
        "POLDA-MALUKU": {
            "total": 3,
            "on_time": 2,
            "late": 0,
            "missing": 1,
            "returned": 1,
            "own": False,
        },
        "POLDA-SULSEL": {
            "total": 2,
            "on_time": 0,
            "late": 1,
            "missing": 1,
            "returned": 0,
            "own": False,
        },
    }


def test_missing_list_shows_each_local_deadline_earliest_first(client, personas, day_of_reports):
    missing = _get(client, personas.national).context["missing"]
    assert [(m["code"], m["deadline_text"], m["zone"], m["overdue"]) for m in missing] == [
        ("POLSEK-NUSANIWE", "02/02 20:00", "WIT", False),
        ("POLRES-SINJAI", "02/02 20:00", "WITA", False),
        ("POLSEK-LABUAN", "01/02 20:00", "WIB", True),  # 23:30 WIB: past its deadline
    ]
    assert missing[0]["deadline"] == dt.datetime(2024, 2, 2, 11, 0, tzinfo=dt.UTC)


def test_polda_user_sees_its_polres_and_drills_to_polsek(client, personas, tree, day_of_reports):
    response = _get(client, personas.command_center)
    assert asdict(response.context["compliance"]) == {
        "total": 3,
        "on_time": 2,
        "late": 0,
        "missing": 1,
        "returned": 1,
    }
    assert _rows(response) == {
        "POLRESTA-AMBON": {
            "total": 3,
            "on_time": 2,
            "late": 0,
            "missing": 1,
            "returned": 1,
            "own": False,
        }
    }
    assert [m["code"] for m in response.context["missing"]] == ["POLSEK-NUSANIWE"]
    assert response.context["personnel"]["on_duty"] == 80  # draft's 99 not counted
    assert response.context["incidents"]["today"] == 1
    assert response.context["incidents"]["total"] == 2

    drilled = client.get("/dashboard/", {"unit": "POLRESTA-AMBON"})
    assert [u.code for u in drilled.context["breadcrumb"]] == ["POLDA-MALUKU", "POLRESTA-AMBON"]
    assert _rows(drilled) == {
        "POLRESTA-AMBON": {
            "total": 1,
            "on_time": 1,
            "late": 0,
            "missing": 0,
            "returned": 1,
            "own": True,
        },
        "POLSEK-NUSANIWE": {
            "total": 1,
            "on_time": 0,
            "late": 0,
            "missing": 1,
            "returned": 0,
            "own": False,
        },
        "POLSEK-SIRIMAU": {
            "total": 1,
            "on_time": 1,
            "late": 0,
            "missing": 0,
            "returned": 0,
            "own": False,
        },
    }
    polsek = client.get("/dashboard/", {"unit": str(tree.sirimau.pk)})
    assert polsek.context["compliance"]["on_time"] == 1
    assert polsek.context["compliance"]["total"] == 1
    assert b"POLSEK-SIRIMAU" in polsek.content


def test_polres_user_sees_own_report_and_polsek_rows(client, personas, day_of_reports):
    response = _get(client, personas.reviewer)
    assert _rows(response) == {
        "POLRESTA-AMBON": {
            "total": 1,
            "on_time": 1,
            "late": 0,
            "missing": 0,
            "returned": 1,
            "own": True,
        },
        "POLSEK-NUSANIWE": {
            "total": 1,
            "on_time": 0,
            "late": 0,
            "missing": 1,
            "returned": 0,
            "own": False,
        },
        "POLSEK-SIRIMAU": {
            "total": 1,
            "on_time": 1,
            "late": 0,
            "missing": 0,
            "returned": 0,
            "own": False,
        },
    }
    assert [m["code"] for m in response.context["missing"]] == ["POLSEK-NUSANIWE"]
    content = response.content.decode()
    assert 'id="compliance-on-time">2<' in content
    assert 'id="compliance-missing">1<' in content


def test_explicit_day_counts_every_unit_for_that_calendar_day(client, personas, day_of_reports):
    response = _get(client, personas.national, day="2024-02-01")
    assert asdict(response.context["compliance"]) == {
        "total": 7,
        "on_time": 2,  # Sinjai, Pandeglang
        "late": 1,  # Sirimau's late report of the 1st
        "missing": 4,
        "returned": 0,
    }
    assert response.context["day"] == FEB1


def test_outside_user_sees_only_its_own_subtree(client, personas, day_of_reports):
    response = _get(client, personas.outsider)
    assert asdict(response.context["compliance"]) == {
        "total": 2,
        "on_time": 1,
        "late": 0,
        "missing": 1,
        "returned": 0,
    }
    assert [m["code"] for m in response.context["missing"]] == ["POLSEK-LABUAN"]
    assert response.context["incidents"]["total"] == 1
    assert {row["unit"].code for row in response.context["rows"]} == {
        "POLRES-PANDEGLANG",
        "POLSEK-LABUAN",
    }
    assert b"Sirimau" not in response.content and b"Nusaniwe" not in response.content


@pytest.mark.outsider("dashboard", "dashboard_panels")
@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/panels/"])
@pytest.mark.parametrize("unit", ["POLDA-MALUKU", "POLSEK-SIRIMAU", "MABES", "NO-SUCH-UNIT"])
def test_unit_outside_scope_is_404(client, personas, day_of_reports, tree, url, unit):
    client.force_login(personas.outsider)
    assert client.get(url, {"unit": unit}).status_code == 404
    assert client.get(url, {"unit": str(tree.sirimau.pk)}).status_code == 404


@pytest.mark.outsider("dashboard")
def test_operator_cannot_open_another_units_dashboard(client, personas, day_of_reports):
    client.force_login(personas.kapolsek_a)
    assert client.get("/dashboard/", {"unit": "POLSEK-NUSANIWE"}).status_code == 404
    assert client.get("/dashboard/", {"unit": "POLRESTA-AMBON"}).status_code == 404
    own = client.get("/dashboard/")
    assert own.context["compliance"]["total"] == 1


@pytest.mark.outsider("dashboard")
def test_operation_outside_users_operations_is_404(client, personas, tree, day_of_reports):
    banten_only = builders.operation(tree.banten, code="op-banten")
    client.force_login(personas.command_center)
    assert client.get("/dashboard/", {"operation": banten_only.code}).status_code == 404


def test_dashboard_requires_login(client, day_of_reports):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_header_shows_phase_day_number_and_days_to_vote(client, personas, day_of_reports):
    response = _get(client, personas.command_center)
    # The Polda user's own today: 2 Feb in Maluku (operation from 1 Jan, voting 14 Feb).
    assert response.context["day"] == FEB2
    assert response.context["day_number"] == 33
    assert response.context["days_to_vote"] == 12
    assert response.context["phase"].name == "Kampanye"
    assert "hari ke-33" in response.content.decode()


def test_personnel_committed_and_required_by_level(client, personas, tree, operation, clock):
    builders.assignments(operation, tree.sirimau, 5, bko=2, home=tree.maluku)
    builders.assignments(operation, tree.ambon, 3)
    builders.assignments(operation, tree.labuan, 4)  # outside Maluku
    builders.tps(
        operation, tree.sirimau, Vulnerability.KURANG_RAWAN, 9, lat=-3.7, lng=128.2
    )  # 2-8: 4
    builders.tps(operation, tree.nusaniwe, Vulnerability.RAWAN, 3, lat=-3.7, lng=128.2)  # 2-2: 4
    builders.tps(operation, tree.labuan, Vulnerability.RAWAN, 10, lat=-3.7, lng=128.2)  # outside
    response = _get(client, personas.command_center, unit="POLRESTA-AMBON")
    personnel = response.context["personnel"]
    assert (personnel["committed"], personnel["bko"]) == (8, 2)
    assert (personnel["tps"], personnel["police_required"]) == (12, 8)
    assert [(lv["level"], lv["tps"], lv["police_required"]) for lv in personnel["by_level"]] == [
        ("kurang_rawan", 9, 4),
        ("rawan", 3, 4),
    ]
    rows = {row["unit"].code: row for row in response.context["rows"]}
    assert (rows["POLSEK-SIRIMAU"]["committed"], rows["POLSEK-SIRIMAU"]["bko"]) == (5, 2)
    assert rows["POLSEK-SIRIMAU"]["police_required"] == 4
    assert rows["POLSEK-NUSANIWE"]["police_required"] == 4
    assert rows["POLRESTA-AMBON"]["committed"] == 3  # its own staff, own row
    assert len(response.context["map"]["posts"]) == 12  # Polres level: every TPS
    assert response.context["map"]["aggregated"] is False


def test_map_above_polres_sends_one_marker_per_unit_not_points(
    client, personas, tree, operation, clock
):
    builders.tps(operation, tree.sirimau, Vulnerability.KURANG_RAWAN, 9, lat=-3.7, lng=128.2)
    builders.tps(operation, tree.nusaniwe, Vulnerability.RAWAN, 3, lat=-3.7, lng=128.2)
    builders.tps(operation, tree.ambon, Vulnerability.SANGAT_RAWAN, 2, lat=-3.7, lng=128.2)
    tree.ambon.latitude, tree.ambon.longitude = -3.69, 128.18
    tree.ambon.save(update_fields=["latitude", "longitude"])
    builders.incident(
        builders.report(operation, tree.sirimau, FEB2, by=personas.admin), category="bencana"
    )
    client.force_login(personas.command_center)
    data = client.get("/api/v1/dashboard/").json()["map"]  # Polda Maluku: above Polres
    assert (data["aggregated"], data["every_tps"], data["posts"], data["incidents"]) == (
        True,
        False,
        [],
        [],
    )
    assert data["units"] == [
        {
            "code": "POLRESTA-AMBON",
            "name": tree.ambon.name,
            "lat": -3.69,
            "lng": 128.18,
            "missing": 2,  # Ambon and Nusaniwe; Sirimau reported
            "total": 3,
            "tps": 14,
            "incidents_today": 1,
            "worst": "sangat_rawan",
        }
    ]
    polres = client.get("/api/v1/dashboard/", {"unit": "POLRESTA-AMBON"}).json()["map"]
    assert (polres["aggregated"], len(polres["posts"])) == (False, 14)  # points fit here


def test_incidents_by_category_severity_and_latest_links(client, personas, day_of_reports):
    response = _get(client, personas.national)
    incidents = response.context["incidents"]
    assert (incidents["today"], incidents["total"]) == (2, 3)
    by_cat = {c["category"]: (c["today"], c["total"]) for c in incidents["by_category"]}
    assert by_cat == {"kejahatan": (1, 1), "laka_lantas": (0, 1), "unjuk_rasa": (1, 1)}
    by_sev = {s["severity"]: (s["today"], s["total"]) for s in incidents["by_severity"]}
    assert by_sev == {"hijau": (0, 1), "kuning": (1, 1), "merah": (1, 1)}
    latest = response.context["latest_incidents"]
    assert {i.category for i in latest} == {"kejahatan", "laka_lantas", "unjuk_rasa"}
    assert all(f"/reports/{i.report_id}/" in i.report_url for i in latest) or all(
        i.report_url == "/reports/" for i in latest
    )
    # Map: today's incidents placed at their unit when they have no point of their own.
    assert response.context["map"]["incidents"] == []  # test units have no coordinates


def test_trends_cover_the_operation_days_up_to_today(client, personas, day_of_reports):
    trends = _get(client, personas.national).context["trends"]
    assert trends["days"][-1] == "2024-02-02"
    assert trends["days"][0] == "2024-01-04"  # the last 30 days
    i1, i2 = trends["days"].index("2024-02-01"), trends["days"].index("2024-02-02")
    assert (trends["on_time"][i1], trends["late"][i1], trends["missing"][i1]) == (2, 1, 4)
    assert (trends["on_time"][i2], trends["late"][i2], trends["missing"][i2]) == (2, 1, 4)
    assert trends["personnel"][i2] == 30 + 50 + 20
    cats = {c["category"]: c["counts"][i1] for c in trends["incidents"]}
    assert cats == {"laka_lantas": 1, "unjuk_rasa": 1, "kejahatan": 0}


def test_panels_partial_refreshes_with_last_updated_in_users_zone(client, personas, day_of_reports):
    client.force_login(personas.command_center)
    response = client.get("/dashboard/panels/", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="dashboard-panels"')
    assert 'hx-trigger="every 60s"' in content
    assert "<html" not in content
    assert "01:30:00</time> WIT" in content  # 16:30 UTC in Ambon
    assert 'id="dashboard-data"' in content


def test_page_has_no_inline_script_or_style(client, personas, day_of_reports):
    content = _get(client, personas.national).content.decode()
    assert "style=" not in content
    for chunk in content.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head
    assert "chart.umd.min.js" in content and "leaflet.js" in content
    assert 'hx-get="/personnel/readiness-panel/?unit=MABES' in content
    assert "Content-Security-Policy" in _get(client, personas.national).headers


def test_map_tile_url_from_settings(client, personas, day_of_reports, settings):
    settings.PAMILU_MAP_TILE_URL = ""
    assert 'data-tile-url=""' in _get(client, personas.national).content.decode()
    settings.PAMILU_MAP_TILE_URL = "/tiles/{z}/{x}/{y}.png"
    assert (
        'data-tile-url="/tiles/{z}/{x}/{y}.png"' in _get(client, personas.national).content.decode()
    )


def test_zone_days_follow_each_zone(clock):
    assert board.zone_days(None) == {
        "Asia/Jakarta": FEB1,
        "Asia/Makassar": FEB2,
        "Asia/Jayapura": FEB2,
    }
    assert set(board.zone_days(FEB1).values()) == {FEB1}


def test_unreadable_day_falls_back_to_today_with_a_notice(client, personas, day_of_reports):
    response = _get(client, personas.national, day="2024-13-40")
    assert response.status_code == 200
    assert response.context["explicit_day"] is False
    assert response.context["compliance"]["on_time"] == 3
    assert "Tanggal tidak valid" in response.content.decode()
