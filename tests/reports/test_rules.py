"""The sending rules and warnings (reports.rules) through the API, with real values."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction

from audit.models import Channel
from pamilu import actors
from personnel.services import assignment_add, warrant_issue
from reports import limits, rules, services
from reports.models import DailyReport, ReportFlag
from tests import builders
from tests.builders.reports import DAY, FULL
from tests.reports.test_api import REPORTS, _body

WEB = Channel.WEB


def _fields(response) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _draft(api, op, **extra) -> int:
    response = api("kapolsek_a").post(REPORTS, _body(op, **extra), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def _submit(api, report_id, body=None):
    return api("kapolsek_a").post(f"{REPORTS}{report_id}/submit/", body or {}, format="json")


def _staff(tree, op, *, own=0, lent=0, received=0, date=dt.date(2023, 12, 20)):
    """A sprin under Polres Ambon: `own` Sirimau members serving at Sirimau, `lent` more
    lent BKO to Nusaniwe, `received` Nusaniwe members lent BKO to Sirimau."""
    warrant = warrant_issue(
        number=f"Sprin/{100 + own + lent * 10 + received}/XII/OPS.1.1/2023",
        date=date,
        issuing_unit=tree.ambon,
        operation=op,
        by=actors.SYSTEM,
        channel="system",
    )
    for serve, home, n in (
        (tree.sirimau, tree.sirimau, own),
        (tree.nusaniwe, tree.sirimau, lent),
        (tree.sirimau, tree.nusaniwe, received),
    ):
        for _ in range(n):
            assignment_add(
                warrant=warrant,
                personnel=builders.person(home),
                unit=serve,
                by=actors.SYSTEM,
                channel="system",
            )
    return warrant


# --- errors: 400 naming the field ------------------------------------------------------


def test_empty_report_is_refused_naming_each_missing_field(api, op, frozen):
    report_id = _draft(api, op, personnel_on_duty=0, summary="", activities=[], incidents=[])
    response = _submit(api, report_id)
    assert response.status_code == 400
    fields = _fields(response)
    assert set(fields) == {"personnel_on_duty", "activities", "summary"}
    assert fields["activities"] == "Isi paling sedikit satu kegiatan."
    assert DailyReport.objects.get(pk=report_id).status == "draft"


def test_blank_summary_of_spaces_is_refused(api, op, frozen):
    response = _submit(api, _draft(api, op, summary="   "))
    assert response.status_code == 400
    assert list(_fields(response)) == ["summary"]


def test_personnel_over_the_sprin_strength_is_refused_with_the_arithmetic(api, tree, op, frozen):
    _staff(tree, op, own=12, lent=2, received=3)  # 14 own, 2 of them lent out, 3 received
    assert rules.strength(op, tree.sirimau, DAY).total == 15
    response = _submit(api, _draft(api, op, personnel_on_duty=16))
    assert response.status_code == 400
    message = _fields(response)["personnel_on_duty"]
    assert "15 (14 personel sendiri − 2 BKO keluar + 3 BKO masuk)" in message
    ok = _submit(api, _draft(api, op, personnel_on_duty=15, report_date="2024-02-13"))
    assert ok.status_code == 200, ok.json()


def test_a_sprin_dated_after_the_report_day_does_not_count(api, tree, op, frozen):
    _staff(tree, op, own=30, date=dt.date(2024, 2, 15))
    assert rules.strength(op, tree.sirimau, DAY).total == 0
    response = _submit(api, _draft(api, op, personnel_on_duty=301))
    assert "batas 300 untuk Polsek" in _fields(response)["personnel_on_duty"]


def test_without_a_sprin_the_configured_ceiling_of_the_kind_holds(api, op, frozen, settings):
    settings.PAMILU_PERSONNEL_CEILING = {**settings.PAMILU_PERSONNEL_CEILING, "polsek": 25}
    response = _submit(api, _draft(api, op, personnel_on_duty=26))
    assert response.status_code == 400
    message = _fields(response)["personnel_on_duty"]
    assert "melebihi batas 25 untuk Polsek: belum ada sprin" in message
    ok = _submit(api, _draft(api, op, personnel_on_duty=25, report_date="2024-02-13"))
    assert ok.status_code == 200


def test_an_activity_with_more_personnel_than_on_duty_is_refused_naming_the_row(api, op, frozen):
    activities = [
        {"kind": "patroli", "count": 1, "personnel": 10},
        {"kind": "sambang", "count": 1, "personnel": 21},
    ]
    response = _submit(api, _draft(api, op, personnel_on_duty=20, activities=activities))
    assert response.status_code == 400
    assert list(_fields(response)) == ["activities[1].personnel"]
    assert (
        "Sambang (21) melebihi personel bertugas (20)"
        in _fields(response)["activities[1].personnel"]
    )


def test_rows_adding_up_to_more_than_on_duty_are_sent_and_flagged(api, op, frozen):
    activities = [
        {"kind": "patroli", "count": 1, "personnel": 15},
        {"kind": "pam_logistik", "count": 1, "personnel": 15},
    ]
    response = _submit(api, _draft(api, op, personnel_on_duty=20, activities=activities))
    assert response.status_code == 200
    assert response.json()["flags"] == ["activity_personnel_sum"]
    flag = ReportFlag.objects.get()
    assert (flag.detail, flag.confirmed) == ("Kegiatan 30 orang, personel bertugas 20.", False)


def test_satgas_of_another_level_is_refused(api, tree, op, frozen):
    polda_tf = op.task_forces.create(level="polda", code="antiteror", name="Antiteror")
    body = _body(op, activities=[{"kind": "patroli", "count": 1, "task_force": polda_tf.pk}])
    response = api("kapolsek_a").post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert list(_fields(response)) == ["activities[0].task_force"]


# --- bounds agreed by API, form and database --------------------------------------------


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"personnel_on_duty": 99_999_999}, "personnel_on_duty"),
        ({"activities": [{"kind": "patroli", "count": 1, "personnel": 999_999_999_999}]},
         "activities[0].personnel"),
        ({"activities": [{"kind": "patroli", "count": 10_001}]}, "activities[0].count"),
        ({"summary": "x" * (limits.SUMMARY_MAX + 1)}, "summary"),
        ({"obstacles": "x" * (limits.OBSTACLES_MAX + 1)}, "obstacles"),
    ],
)  # fmt: skip
def test_out_of_bounds_values_are_refused_even_in_a_draft(api, op, frozen, extra, field):
    response = api("kapolsek_a").post(REPORTS, _body(op, **extra), format="json")
    assert response.status_code == 400
    assert field in _fields(response)
    assert DailyReport.objects.count() == 0


def test_incident_casualties_and_loss_are_bounded(api, op, frozen):
    incident = _body(op)["incidents"][0]
    body = _body(op, incidents=[{**incident, "deaths": 10_001, "loss_rupiah": 10**13}])
    response = api("kapolsek_a").post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert {"incidents[0].deaths", "incidents[0].loss_rupiah"} <= set(_fields(response))


def test_a_megabyte_summary_is_refused_naming_the_limit(api, op, frozen):
    response = api("kapolsek_a").post(REPORTS, _body(op, summary="a" * 1_000_000), format="json")
    assert response.status_code == 400
    assert _fields(response)["summary"] == "Isi bidang ini tidak boleh melebihi 4000 karakter."


def test_an_oversized_body_gets_the_api_json_error_naming_the_limit(api, op, frozen, settings):
    body = json.dumps(_body(op, summary="a" * 3_000_000))
    response = api("kapolsek_a").post(REPORTS, body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["code"] == "too_large"
    assert "2.621.440 byte" in data["detail"]
    assert "DATA_UPLOAD_MAX_MEMORY_SIZE" in data["detail"]


def test_the_database_holds_the_bounds_too(personas, make_report):
    report = make_report(personas.kapolsek_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.filter(pk=report.pk).update(personnel_on_duty=limits.PERSONNEL_MAX + 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyReport.objects.filter(pk=report.pk).update(summary="x" * (limits.SUMMARY_MAX + 1))


def test_reports_stored_before_the_rules_stay_and_can_be_reviewed(api, personas, op, frozen):
    """An empty report sent before the rules existed is not re-checked by accept/return."""
    stored = DailyReport.objects.create(
        operation=op,
        unit=personas.kapolsek_a.unit,
        report_date=DAY,
        status="submitted",
        submitted_at=dt.datetime(2024, 2, 14, 2, tzinfo=dt.UTC),
        created_by=personas.kapolsek_a,
    )
    response = api("reviewer").post(f"{REPORTS}{stored.pk}/accept/")
    assert response.json()["status"] == "accepted"
    assert DailyReport.objects.get(pk=stored.pk).personnel_on_duty == 0


def test_a_full_report_as_the_api_example_makes_it_goes_through(api, op, frozen):
    response = _submit(api, _draft(api, op))
    assert (response.status_code, response.json()["status"], response.json()["flags"]) == (
        200,
        "submitted",
        [],
    )


# --- warnings: 422 with codes, confirmed by resending -------------------------------------


def test_personnel_under_half_of_yesterday_asks_for_confirmation(api, op, frozen):
    yesterday = _draft(api, op, personnel_on_duty=40, report_date="2024-02-13")
    assert _submit(api, yesterday).status_code == 200
    today = _draft(api, op, personnel_on_duty=19, activities=[{"kind": "apel", "count": 1}])
    response = _submit(api, today)
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "confirm_warnings"
    assert [w["code"] for w in data["warnings"]] == ["personnel_drop"]
    assert data["errors"][0]["field"] == "personnel_on_duty"
    assert "19 kurang dari separuh kemarin (40)" in data["warnings"][0]["message"]
    assert DailyReport.objects.get(pk=today).status == "draft"

    confirmed = _submit(api, today, {"confirm_warnings": ["personnel_drop"]})
    assert confirmed.status_code == 200
    assert confirmed.json()["flags"] == ["personnel_drop"]
    assert ReportFlag.objects.get(report_id=today).confirmed is True


def test_exactly_half_of_yesterday_is_no_warning(api, op, frozen):
    yesterday = _draft(api, op, personnel_on_duty=40, report_date="2024-02-13")
    assert _submit(api, yesterday).status_code == 200
    assert _submit(api, _draft(api, op, personnel_on_duty=20)).status_code == 200


def test_no_incident_while_a_unit_below_recorded_one_asks_for_confirmation(
    personas, tree, op, frozen
):
    polsek = services.report_create(
        operation=op, unit=tree.sirimau, by=personas.kapolsek_a, channel=WEB, **FULL,
        incidents=[{
            "category": "gangguan", "occurred_at": dt.datetime(2024, 2, 14, 1, tzinfo=dt.UTC),
            "place": "Pasar", "description": "Keributan.",
        }],
    )  # fmt: skip
    assert polsek.incidents.count() == 1
    polres_operator = builders.user("operator", tree.ambon, "operator.ambon")
    report = services.report_create(
        operation=op, unit=tree.ambon, by=polres_operator, channel=WEB, **FULL
    )
    with pytest.raises(rules.SendWarnings) as raised:
        services.report_submit(report=report, by=polres_operator, channel=WEB)
    assert raised.value.codes == ["incidents_elsewhere"]
    assert raised.value.warnings[0].field == "incidents"
    sent = services.report_submit(
        report=report, by=polres_operator, channel=WEB, confirm_warnings=["incidents_elsewhere"]
    )
    assert list(sent.flags.values_list("code", flat=True)) == ["incidents_elsewhere"]


def test_an_unknown_warning_code_is_a_400_naming_the_field(api, op, frozen):
    response = _submit(api, _draft(api, op), {"confirm_warnings": ["nope"]})
    assert response.status_code == 400
    assert list(_fields(response)) == ["confirm_warnings[0]"]


def test_the_schema_documents_the_422_of_submit(api):
    schema = api("kapolsek_a").get("/api/schema/?format=json").json()
    submit = schema["paths"]["/api/v1/reports/{id}/submit/"]["post"]
    assert {"400", "422"} <= set(submit["responses"])
    body = submit["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/SubmitRequest")
