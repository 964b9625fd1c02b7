import pytest
from django.db import transaction
from django.test import override_settings

from chengxin.analytics.tests.test_selectors import build_reports


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Reports in every state, built once per module inside a transaction that is rolled back afterwards."""
    fast = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with fast, django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_reports()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def campaign(world):
    """The analytics tests' campaign (shadows the shared fixture: this one has reports in every state)."""
    return world["campaign"]
