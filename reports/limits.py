"""Bounds of a daily report that the form, the API and the database agree on.

The model fields take their validators and check constraints from here, the forms and
serializers take them from the model fields (or from here where a form field is not a
model field), so one number changes all three.
"""

from __future__ import annotations

# Free text, in characters.
SUMMARY_MAX = 4000
OBSTACLES_MAX = 2000
NEXT_DAY_PLAN_MAX = 2000
RETURN_REASON_MAX = 2000
ACTIVITY_NOTES_MAX = 255
INCIDENT_PLACE_MAX = 255
INCIDENT_DESCRIPTION_MAX = 4000
INCIDENT_ACTION_MAX = 2000

# Counts: above any real unit (Polri has about 470,000 members; OMB named 261,695).
PERSONNEL_MAX = 300_000
ACTIVITY_COUNT_MAX = 10_000
CASUALTIES_MAX = 10_000
# Material loss of one incident: one trillion rupiah.
LOSS_RUPIAH_MAX = 1_000_000_000_000

# Rows per report (the formsets' max_num and the serializers' max_length).
ACTIVITIES_MAX = 50
INCIDENTS_MAX = 30
