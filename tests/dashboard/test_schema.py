"""The dashboard, coverage and guard-gap endpoints document their responses field by field
(output serializers), so a generated client gets types instead of a bare object."""

import pytest
import yaml  # PyYAML comes with drf-spectacular


@pytest.fixture
def schema(client, personas):
    client.force_login(personas.reviewer)
    return yaml.safe_load(client.get("/api/schema/").content)


def _response(schema, path):
    ref = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    name = ref["schema"]["$ref"].rsplit("/", 1)[-1]
    return schema["components"]["schemas"][name]


def _props(schema, component, name):
    ref = component["properties"][name]
    ref = ref.get("$ref") or ref.get("items", {}).get("$ref") or ref["allOf"][0]["$ref"]
    return set(schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"])


def test_dashboard_response_is_typed(schema):
    board = _response(schema, "/api/v1/dashboard/")
    assert {"operation", "unit", "day", "compliance", "rows", "missing", "map"} <= set(
        board["properties"]
    )
    assert set(board["required"]) == {
        "operation",
        "unit",
        "day",
        "each_unit_local_day",
        "generated_at",
    }
    assert _props(schema, board, "compliance") == {
        "total",
        "on_time",
        "late",
        "missing",
        "returned",
    }
    assert {"unit", "own_unit", "committed", "police_required", "incidents_today"} <= _props(
        schema, board, "rows"
    )
    assert board["properties"]["generated_at"]["format"] == "date-time"


def test_coverage_and_guard_gaps_responses_are_typed(schema):
    coverage = _response(schema, "/api/v1/coverage/")
    assert set(coverage["properties"]) == {"total", "children", "by_level"}
    assert {"required", "deployed", "shortfall", "uncovered_tps"} <= _props(
        schema, coverage, "total"
    )
    gaps = _response(schema, "/api/v1/guard-gaps/")
    assert set(gaps["properties"]) == {
        "start",
        "end",
        "posts_checked",
        "missing_guard_hours",
        "posts",
        "by_hour",
    }


def test_dashboard_json_validates_against_its_schema(client, personas, schema, day_of_reports):
    client.force_login(personas.command_center)
    data = client.get("/api/v1/dashboard/").json()
    board = _response(schema, "/api/v1/dashboard/")
    assert set(data) == set(board["properties"])
    row = data["rows"][0]
    assert set(row) == _props(schema, board, "rows")
