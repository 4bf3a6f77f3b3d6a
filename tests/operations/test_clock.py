import datetime as dt

from operations.clock import is_late, local_date, report_deadline

UTC = dt.UTC


def test_same_instant_is_a_different_day_in_each_zone(tree):
    at = dt.datetime(2024, 2, 13, 16, 30, tzinfo=UTC)  # 23:30 WIB, 00:30 WITA, 01:30 WIT
    assert local_date(tree.labuan, at) == dt.date(2024, 2, 13)
    assert local_date(tree.sinjai_utara, at) == dt.date(2024, 2, 14)
    assert local_date(tree.sirimau, at) == dt.date(2024, 2, 14)


def test_ambon_deadline_two_hours_before_banten(tree, operation):
    day = dt.date(2024, 2, 14)
    ambon = report_deadline(operation, tree.sirimau, day)
    banten = report_deadline(operation, tree.labuan, day)
    assert ambon == dt.datetime(2024, 2, 14, 11, 0, tzinfo=UTC)  # 20:00 WIT
    assert banten == dt.datetime(2024, 2, 14, 13, 0, tzinfo=UTC)  # 20:00 WIB
    assert banten - ambon == dt.timedelta(hours=2)


def test_is_late_after_local_deadline(tree, operation):
    day = dt.date(2024, 2, 14)
    assert not is_late(
        operation, tree.sinjai_utara, day, dt.datetime(2024, 2, 14, 11, 59, tzinfo=UTC)
    )
    assert is_late(operation, tree.sinjai_utara, day, dt.datetime(2024, 2, 14, 12, 1, tzinfo=UTC))
