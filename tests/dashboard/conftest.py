"""The dashboard's clock and day of reports (tests.builders.dashboard), as fixtures."""

import pytest
import time_machine

from tests.builders import dashboard


@pytest.fixture
def clock():
    with time_machine.travel(dashboard.NOW, tick=False):
        yield


@pytest.fixture
def day_of_reports(tree, operation, personas, clock):
    """Each reporting unit (Polres and Polsek) in one state for its own today."""
    return dashboard.day_of_reports(tree, operation, by=personas.admin)
