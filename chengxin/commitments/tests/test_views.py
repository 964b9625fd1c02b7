"""The public sign and search pages (no login) and the moderation page (ministry staff only)."""

import datetime as dt
import random

from django.urls import reverse
from django.utils import timezone

from chengxin.commitments.models import Commitment, Status
from chengxin.commitments.tests.factories import make_code, make_commitment

HUAWEI = "914403001922038216"


def test_enterprise_signs_without_login_and_sees_its_code(client, campaign):
    response = client.post(
        reverse("commitments:sign", args=[2020]),
        {
            "name": "华为技术有限公司",
            "uscc": "9144 0300 1922 0382 16",
            "region_code": "440000",
            "industry": "manufacturing",
            "contact_name": "李四",
            "contact_phone": "13800138000",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "等待审核" in body and HUAWEI in body
    assert Commitment.objects.get().status == Status.PENDING


def test_sign_form_shows_the_named_error_and_keeps_the_input(client, campaign):
    response = client.post(
        reverse("commitments:sign", args=[2020]),
        {"name": "华为技术有限公司", "uscc": "914403001922038217", "region_code": "440000"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "第18位校验码应为 6" in body and "华为技术有限公司" in body
    assert not Commitment.objects.exists()


def test_search_by_code_finds_the_published_commitment_with_its_date(client, campaign):
    make_commitment(campaign, name="华为技术有限公司", uscc=HUAWEI, signed_at=dt.datetime(2020, 10, 9, tzinfo=dt.UTC))
    response = client.get(reverse("commitments:search", args=[2020]), {"q": "914403001922038216"})
    body = response.content.decode()
    assert "华为技术有限公司" in body and "2020-10-09" in body and "广东省" in body
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_search_shows_withdrawn_but_never_pending_or_rejected(client, campaign):
    make_commitment(campaign, name="甲商贸有限公司")
    make_commitment(
        campaign, name="乙商贸有限公司", status=Status.WITHDRAWN, withdrawn_at=dt.datetime(2020, 11, 2, tzinfo=dt.UTC)
    )
    make_commitment(campaign, name="丙商贸有限公司", status=Status.PENDING)
    make_commitment(campaign, name="丁商贸有限公司", status=Status.REJECTED)
    body = client.get(reverse("commitments:search", args=[2020]), {"q": "商贸"}).content.decode()
    assert "甲商贸有限公司" in body
    assert "乙商贸有限公司" in body and "已撤回（2020-11-02）" in body
    assert "丙商贸有限公司" not in body and "丁商贸有限公司" not in body


def test_contact_details_are_never_public(client, campaign):
    make_commitment(campaign, name="甲商贸有限公司", contact_name="王五", contact_phone="13912345678")
    body = client.get(reverse("commitments:search", args=[2020]), {"q": "甲商贸"}).content.decode()
    assert "王五" not in body and "13912345678" not in body


def test_search_by_name_prefix_and_by_part(client, campaign):
    make_commitment(campaign, name="深圳市华强商贸有限公司")
    make_commitment(campaign, name="华强电子有限公司")
    url = reverse("commitments:search", args=[2020])
    prefix = client.get(url, {"q": "华强", "match": "prefix"}).content.decode()
    assert "华强电子有限公司" in prefix and "深圳市华强商贸有限公司" not in prefix
    part = client.get(url, {"q": "华强"}).content.decode()
    assert "华强电子有限公司" in part and "深圳市华强商贸有限公司" in part


def test_search_pages_by_twenty(client, campaign):
    rng = random.Random(5)
    now = timezone.now()
    for i in range(45):
        make_commitment(campaign, name=f"广州诚信{i:02d}有限公司", uscc=make_code(rng), signed_at=now)
    url = reverse("commitments:search", args=[2020])
    first = client.get(url, {"q": "广州诚信", "match": "prefix"}).content.decode()
    assert "共 45 条" in first and "广州诚信00有限公司" in first and "广州诚信20有限公司" not in first
    third = client.get(url, {"q": "广州诚信", "match": "prefix", "page": 3}).content.decode()
    assert "广州诚信44有限公司" in third and "广州诚信39有限公司" not in third


def test_moderation_page_is_for_national_staff_only(client, campaign, alice, carol):
    url = reverse("commitments:moderate", args=[2020])
    client.force_login(alice)
    assert client.get(url).status_code == 404
    client.force_login(carol)
    assert client.get(url).status_code == 200


def test_reviewer_publishes_then_public_finds_it(client, campaign, carol):
    commitment = make_commitment(campaign, name="华为技术有限公司", uscc=HUAWEI, status=Status.PENDING)
    client.force_login(carol)
    page = client.get(reverse("commitments:moderate", args=[2020])).content.decode()
    assert "华为技术有限公司" in page and "data-confirm" in page
    client.post(reverse("commitments:publish", args=[2020, commitment.pk]))
    client.logout()
    assert "华为技术有限公司" in client.get(reverse("commitments:search", args=[2020]), {"q": HUAWEI}).content.decode()


def test_reporter_cannot_publish_and_nothing_changes(client, campaign, alice):
    commitment = make_commitment(campaign, name="华为技术有限公司", uscc=HUAWEI, status=Status.PENDING)
    client.force_login(alice)
    assert client.post(reverse("commitments:publish", args=[2020, commitment.pk])).status_code == 404
    commitment.refresh_from_db()
    assert commitment.status == Status.PENDING


def test_withdraw_without_reason_is_refused_with_a_message(client, campaign, dave):
    commitment = make_commitment(campaign, name="华为技术有限公司", uscc=HUAWEI)
    client.force_login(dave)
    response = client.post(
        reverse("commitments:withdraw", args=[2020, commitment.pk]), {"status": "published"}, follow=True
    )
    assert "请填写撤回原因" in response.content.decode()
    commitment.refresh_from_db()
    assert commitment.status == Status.PUBLISHED


def test_sign_form_is_public_and_lists_regions_and_industries(client, campaign):
    response = client.get(reverse("commitments:sign", args=[2020]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码" in body and "广东省" in body and "批发和零售业" in body
