"""GET /api/v1/dashboard/: the dashboard's numbers for REST clients."""

import pytest

URL = "/api/v1/dashboard/"


def test_api_compliance_rows_and_missing_for_polda_user(client, personas, day_of_reports):
    client.force_login(personas.command_center)
    data = client.get(URL).json()
    assert data["unit"]["code"] == "POLDA-MALUKU"
    assert data["day"] == "2024-02-02"
    assert data["each_unit_local_day"] is True
    assert data["day_number"] == 33
    assert data["days_to_vote"] == 12
    assert data["phase"] == {"kind": "kampanye", "name": "Kampanye"}
    assert data["compliance"] == {
        "total": 3,
        "on_time": 2,
        "late": 0,
        "missing": 1,
        "returned": 1,
    }
    assert [(r["unit"]["code"], r["missing"]) for r in data["rows"]] == [("POLRESTA-AMBON", 1)]
    assert data["missing"] == [
        {
            "unit": "POLSEK-NUSANIWE",
            "name": "Polsek-Nusaniwe",
            "parent": "Polresta-Ambon",
            "day": "2024-02-02",
            "deadline": "2024-02-02T11:00:00+00:00",
            "deadline_local": "2024-02-02T20:00:00+09:00",
            "zone": "WIT",
            "overdue": False,
        }
    ]
    assert data["personnel"]["on_duty"] == 80
    assert data["incidents"]["today"] == 1


def test_api_drill_down_to_polres_by_id(client, personas, tree, day_of_reports):
    client.force_login(personas.national)
    data = client.get(URL, {"unit": tree.ambon.pk}).json()
    assert [u["code"] for u in data["breadcrumb"]] == ["MABES", "POLDA-MALUKU", "POLRESTA-AMBON"]
    rows = {r["unit"]["code"]: (r["on_time"], r["missing"], r["own_unit"]) for r in data["rows"]}
    assert rows == {
        "POLRESTA-AMBON": (1, 0, True),
        "POLSEK-NUSANIWE": (0, 1, False),
        "POLSEK-SIRIMAU": (1, 0, False),
    }


def test_api_explicit_day(client, personas, day_of_reports):
    client.force_login(personas.national)
    data = client.get(URL, {"day": "2024-02-01"}).json()
    assert data["each_unit_local_day"] is False
    assert data["compliance"]["late"] == 1
    assert data["compliance"]["on_time"] == 2


@pytest.mark.outsider("api-dashboard")
@pytest.mark.parametrize("unit", ["POLDA-MALUKU", "POLSEK-SIRIMAU", "MABES"])
def test_api_unit_outside_scope_is_404(client, personas, day_of_reports, unit):
    client.force_login(personas.outsider)
    assert client.get(URL, {"unit": unit}).status_code == 404


@pytest.mark.outsider("api-dashboard")
def test_api_outsider_default_sees_only_own_subtree(client, personas, day_of_reports):
    client.force_login(personas.outsider)
    data = client.get(URL).json()
    assert data["compliance"]["total"] == 2
    assert {r["unit"]["code"] for r in data["rows"]} == {"POLRES-PANDEGLANG", "POLSEK-LABUAN"}
    assert data["incidents"]["total"] == 1
    assert "Sirimau" not in str(data)


@pytest.mark.outsider("api-dashboard")
def test_api_operator_limited_to_own_unit(client, personas, day_of_reports):
    client.force_login(personas.kapolsek_a)
    assert client.get(URL, {"unit": "POLRESTA-AMBON"}).status_code == 404
    data = client.get(URL).json()
    assert data["unit"]["code"] == "POLSEK-SIRIMAU"
    assert data["compliance"]["total"] == 1


def test_api_unreadable_day_is_400(client, personas, day_of_reports):
    client.force_login(personas.national)
    response = client.get(URL, {"day": "2024-02-31"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "day"


def test_api_requires_authentication(client, day_of_reports):
    assert client.get(URL).status_code in (401, 403)
