import pytest


@pytest.fixture
def campaign(world):
    """The analytics tests' campaign (shadows the shared fixture: this one has reports in every state)."""
    return world["campaign"]
