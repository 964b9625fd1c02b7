"""The demo data's index (indices/demo.py): published with one correction, shown as a revision; idempotent."""

import pytest
from django.urls import reverse

from chengxin.indices.demo import demo_index_ensure
from chengxin.indices.models import IndexRelease, ReleaseStatus

pytestmark = pytest.mark.django_db


def test_the_demo_index_is_public_with_its_revision_and_made_once(client, campaign):
    index = demo_index_ensure()
    assert demo_index_ensure() == index and IndexRelease.objects.count() == 2
    assert dict(index.releases.values_list("version", "status")) == {
        1: ReleaseStatus.SUPERSEDED,
        2: ReleaseStatus.PUBLISHED,
    }
    page = client.get(reverse("indices:public_index", kwargs={"code": index.code})).content.decode()
    assert "已修订" in page and "104.6" in page and "2020-11-06" in page
