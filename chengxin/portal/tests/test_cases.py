"""The case library: any unit's editors write and submit cases for their own unit; the ministry publishes or
declines; the public sees published cases only."""

import datetime as dt

import pytest
from django.urls import reverse

from chengxin.portal.models import Case, CaseStatus
from chengxin.portal.services import case_publish, case_reject, case_save

pytestmark = pytest.mark.django_db

LIST = reverse("portal:cases")
NEW = reverse("portal:case_new")
MODERATE = reverse("portal:case_moderate")


def _fields(**overrides) -> dict:
    fields = {
        "kind": "star",
        "domain": "commerce",
        "title": "百年老字号坚持明码标价",
        "summary": "一家老店三十年无投诉。",
        "body": "第一段。\n\n第二段<script>alert(1)</script>",
        "case_date": "2020-10-15",
    }
    fields.update(overrides)
    return fields


def _case(user, *, submit=True, **overrides) -> Case:
    fields = _fields(**overrides)
    fields["case_date"] = dt.date.fromisoformat(fields["case_date"])
    return case_save(acting_user=user, submit=submit, **fields)


def test_a_reporter_of_a_national_body_submits_a_case_for_its_own_unit(client, erin):
    client.force_login(erin)
    response = client.post(NEW, {**_fields(domain="customs"), "action": "submit"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED and case.source_body.code == "GACC" and case.submitted_by == erin


def test_a_provincial_reporter_saves_a_draft(client, alice):
    client.force_login(alice)
    client.post(NEW, {**_fields(), "action": "draft"})
    case = Case.objects.get()
    assert case.status == CaseStatus.DRAFT and case.source_body.code == "440000"


def test_a_case_without_a_title_is_not_saved(client, alice):
    client.force_login(alice)
    response = client.post(NEW, {**_fields(title=" "), "action": "submit"})
    assert response.status_code == 400 and "请填写标题" in response.content.decode()
    assert not Case.objects.exists()


def test_ministry_staff_do_not_write_cases_and_visitors_must_log_in(client, carol, campaign):
    assert client.get(NEW).status_code == 302
    client.force_login(carol)
    assert client.post(NEW, {**_fields(), "action": "submit"}).status_code == 404
    assert not Case.objects.exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "rejected"])
def test_unpublished_cases_are_never_public(client, alice, carol, status):
    case = _case(alice, submit=status != "draft", title=f"未公开案例-{status}")
    if status == "rejected":
        case_reject(case=case, reason="材料不全", acting_user=carol)
    assert f"未公开案例-{status}" not in client.get(LIST).content.decode()
    assert client.get(reverse("portal:case", kwargs={"pk": case.pk})).status_code == 404


def test_a_published_case_is_public_with_its_body_escaped(client, alice, carol):
    case = case_publish(case=_case(alice), acting_user=carol)
    listing = client.get(LIST).content.decode()
    assert "百年老字号坚持明码标价" in listing and "诚信之星" in listing and "广东省" in listing
    detail = client.get(reverse("portal:case", kwargs={"pk": case.pk}))
    page = detail.content.decode()
    assert detail.status_code == 200 and "<p>第一段。</p>" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert detail["Cache-Control"] == "public, max-age=60"


def test_the_author_unit_and_the_ministry_see_an_unpublished_case_but_another_unit_does_not(client, alice, bob, carol):
    case = _case(alice, submit=False)
    url = reverse("portal:case", kwargs={"pk": case.pk})
    client.force_login(alice)
    response = client.get(url)
    assert response.status_code == 200 and "本案例尚未公开" in response.content.decode()
    assert "public" not in response["Cache-Control"]
    client.force_login(carol)
    assert client.get(url).status_code == 200
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_ministry_publishes_from_the_moderation_page(client, alice, carol):
    case = _case(alice)
    client.force_login(carol)
    assert "百年老字号坚持明码标价" in client.get(MODERATE).content.decode()
    client.post(reverse("portal:case_decide", kwargs={"pk": case.pk}), {"action": "publish"})
    case.refresh_from_db()
    assert case.status == CaseStatus.PUBLISHED and case.published_by == carol and case.published_at
    client.logout()
    assert "百年老字号坚持明码标价" in client.get(LIST).content.decode()


def test_a_declined_case_keeps_its_reason_and_can_be_resubmitted(client, alice, carol):
    case = _case(alice)
    client.force_login(carol)
    client.post(reverse("portal:case_decide", kwargs={"pk": case.pk}), {"action": "reject", "reason": "请补充来源"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REJECTED and case.reject_reason == "请补充来源"
    client.force_login(alice)
    assert "请补充来源" in client.get(reverse("portal:case_mine")).content.decode()
    client.post(reverse("portal:case_edit", kwargs={"pk": case.pk}), {**_fields(), "action": "submit"})
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.reject_reason == ""


def test_a_withdrawn_published_case_leaves_the_public_library(client, alice, carol):
    case = case_publish(case=_case(alice), acting_user=carol)
    assert "百年老字号坚持明码标价" in client.get(LIST).content.decode()
    case_reject(case=case, reason="信息有误", acting_user=carol)
    assert "百年老字号坚持明码标价" not in client.get(LIST).content.decode()
    assert client.get(reverse("portal:case", kwargs={"pk": case.pk})).status_code == 404


@pytest.mark.parametrize("persona", ["alice", "erin"])
def test_units_cannot_moderate(client, alice, persona, request):
    case = _case(alice)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(MODERATE).status_code == 404
    assert client.post(reverse("portal:case_decide", kwargs={"pk": case.pk}), {"action": "publish"}).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED


def test_another_unit_cannot_edit_a_case(client, alice, bob):
    case = _case(alice, submit=False)
    client.force_login(bob)
    assert client.post(reverse("portal:case_edit", kwargs={"pk": case.pk}), _fields(title="改了")).status_code == 404
    case.refresh_from_db()
    assert case.title == "百年老字号坚持明码标价"


def test_the_library_filters_by_kind_and_domain_and_pages(client, alice, erin, carol):
    case_publish(case=_case(alice, title="商务的诚信之星"), acting_user=carol)
    case_publish(case=_case(erin, title="海关的经验做法", kind="practice", domain="customs"), acting_user=carol)
    page = client.get(LIST, {"kind": "practice"}).content.decode()
    assert "海关的经验做法" in page and "商务的诚信之星" not in page
    page = client.get(LIST, {"domain": "commerce"}).content.decode()
    assert "商务的诚信之星" in page and "海关的经验做法" not in page
    for n in range(12):
        case_publish(case=_case(alice, title=f"第{n}个案例", case_date="2020-10-01"), acting_user=carol)
    first = client.get(LIST).content.decode()
    assert "第 1 / 2 页" in first and "海关的经验做法" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert second.count('class="card case-item"') == 2
