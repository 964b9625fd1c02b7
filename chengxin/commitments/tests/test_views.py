"""The public sign and search pages (no login) and the moderation page (ministry staff only)."""

import datetime as dt
import random
import re

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


# --- the public frame, its wording, and the moderation list (issue 16) ------------------------------------------


def test_sign_page_is_a_portal_page_with_its_form_and_captcha_and_never_cached(client, campaign, abuse_guards):
    from captcha.models import CaptchaStore
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    url = reverse("commitments:sign", args=[2020])
    response = visitor.get(url)
    body = response.content.decode()
    # The portal's menu, as on the other public pages, not the staff header.
    assert 'class="portal-nav"' in body and f'href="{reverse("portal:cases")}"' in body
    assert "app-top" not in body
    assert 'name="captcha_key"' in body and 'name="captcha"' in body
    # Each visitor's own CSRF token and captcha: never stored by a browser or a proxy for someone else.
    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control and "public" not in cache_control
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
    key = response.context["captcha"]["key"]
    digits = CaptchaStore.objects.get(hashkey=key).response
    fields = {
        "name": "甲商贸有限公司",
        "uscc": HUAWEI,
        "region_code": "440000",
        "industry": "retail",
        "contact_name": "李四",
        "contact_phone": "13800138000",
    }
    signed = visitor.post(url, {**fields, "csrfmiddlewaretoken": token, "captcha_key": key, "captcha": digits})
    assert signed.status_code == 200 and "等待审核" in signed.content.decode()
    assert 'class="portal-nav"' in signed.content.decode() and "no-store" in signed["Cache-Control"]
    assert Commitment.objects.get().status == Status.PENDING
    # Without the token the form is refused, as before.
    assert Client(enforce_csrf_checks=True).post(url, fields).status_code == 403


def test_search_placeholder_is_an_obvious_example_not_a_real_firm(client, campaign):
    body = client.get(reverse("commitments:search", args=[2020])).content.decode()
    placeholder = re.search(r'<input id="q"[^>]*placeholder="([^"]+)"', body)[1]
    assert "某某" in placeholder
    assert HUAWEI not in body and "华为" not in body


def test_moderation_shows_region_names_not_codes(client, campaign, carol):
    make_commitment(campaign, name="甲商贸有限公司", status=Status.PENDING, region_code="440000")
    client.force_login(carol)
    body = client.get(reverse("commitments:moderate", args=[2020])).content.decode()
    assert "<td>广东省</td>" in body
    assert "<td>440000</td>" not in body and "地区代码" not in body
