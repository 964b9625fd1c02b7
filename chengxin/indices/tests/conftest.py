"""The indices' personas, besides the project's (chengxin/conftest.py): sally, reporter of 上海市 (310000), who
publishes 上海购物诚信指数; alice (广东省) is another unit's editor; carol the ministry's reviewer."""

import pytest

from chengxin.conftest import PASSWORD
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory


@pytest.fixture
def sally(campaign):
    return UserFactory(
        username="sally", unit=Unit.objects.get(code="310000"), role=Role.UNIT_REPORTER, password=PASSWORD
    )
