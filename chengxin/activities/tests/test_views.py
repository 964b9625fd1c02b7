"""The pages: a unit's list and form, the detail page's buttons, photos, the lead body's page and the
pre-fill partial. Another unit's activity is 404, a refused write changes nothing, bad input is 4xx."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from chengxin.activities.models import Activity, ActivityPhoto, ActivityStatus
from chengxin.activities.tests.factories import JPEG, PLAN_TEXT, create, published, raw, upload
from chengxin.conftest import make_pdf
from chengxin.statform.selectors import form_definition

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs) -> str:
    return reverse(f"activities:{name}", kwargs={"year": 2020, **kwargs})


def test_a_reporter_lists_only_the_own_units_activities(client, campaign, alice, bob):
    create(campaign, alice, title="广东的活动")
    create(campaign, bob, "110000", region_code="110000", title="北京的活动")
    client.force_login(alice)
    page = client.get(url("list")).content.decode()
    assert "广东的活动" in page and "北京的活动" not in page


def test_national_staff_see_every_unit_and_filter_by_unit(client, campaign, alice, bob, carol):
    create(campaign, alice, title="广东的活动")
    create(campaign, bob, "110000", region_code="110000", title="北京的活动")
    client.force_login(carol)
    page = client.get(url("list")).content.decode()
    assert "广东的活动" in page and "北京的活动" in page
    page = client.get(url("list"), {"unit": "110000"}).content.decode()
    assert "广东的活动" not in page and "北京的活动" in page


def test_registering_through_the_form_saves_a_draft(client, campaign, alice):
    client.force_login(alice)
    assert client.get(url("create")).status_code == 200
    response = client.post(url("create"), raw(plan_activity="8"))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response.url == url("detail", pk=activity.pk)
    assert activity.status == ActivityStatus.DRAFT and activity.plan_activity.number == 8


def test_a_bad_form_names_the_field_and_keeps_what_was_typed(client, campaign, alice):
    client.force_login(alice)
    response = client.post(url("create"), raw(title="我的活动标题", links="ftp://x.example/1", end_date="2020-10-01"))
    page = response.content.decode()
    assert response.status_code == 422
    assert "我的活动标题" in page and "ftp://x.example/1" in page
    assert "报道链接第 1 行" in page and "结束日期不能早于开始日期" in page
    assert not Activity.objects.exists()


def test_publishing_without_a_plan_is_refused_on_the_page_and_nothing_changes(client, campaign, alice):
    activity = create(campaign, alice)
    client.force_login(alice)
    response = client.post(url("publish", pk=activity.pk))
    assert response.status_code == 422
    assert "线下活动须附防疫方案" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.DRAFT


def test_adding_the_plan_in_the_edit_form_then_publishing(client, campaign, alice):
    activity = create(campaign, alice)
    client.force_login(alice)
    response = client.post(url("edit", pk=activity.pk), raw(epidemic_plan=upload("防疫方案.pdf", make_pdf())))
    assert response.status_code == 302
    assert client.post(url("publish", pk=activity.pk)).status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PUBLISHED
    download = client.get(url("plan_file", pk=activity.pk))
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_withdraw_and_delete_buttons_ask_for_confirmation(client, campaign, alice):
    draft = create(campaign, alice, epidemic_plan_text=PLAN_TEXT)
    client.force_login(alice)
    page = client.get(url("detail", pk=draft.pk)).content.decode()
    assert page.count("data-confirm") == 2  # publish, delete
    assert client.post(url("publish", pk=draft.pk)).status_code == 302
    page = client.get(url("detail", pk=draft.pk)).content.decode()
    assert url("withdraw", pk=draft.pk) in page and url("delete", pk=draft.pk) not in page
    assert client.post(url("withdraw", pk=draft.pk)).status_code == 302
    assert Activity.objects.get(pk=draft.pk).status == ActivityStatus.WITHDRAWN


def test_deleting_a_draft(client, campaign, alice):
    draft = create(campaign, alice)
    client.force_login(alice)
    assert client.post(url("delete", pk=draft.pk)).status_code == 302
    assert not Activity.objects.exists()


@pytest.mark.parametrize("name", ["detail", "edit", "publish", "withdraw", "delete", "photo_add"])
def test_another_unit_gets_404_and_changes_nothing(client, campaign, alice, bob, name):
    activity = create(campaign, alice, epidemic_plan_text=PLAN_TEXT)
    client.force_login(bob)
    method = client.get if name in ("detail", "edit") else client.post
    data = {"photo": upload("a.jpg", JPEG)} if name == "photo_add" else {}
    assert method(url(name, pk=activity.pk), data).status_code == 404
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DRAFT and not ActivityPhoto.objects.exists()


def test_photos_are_served_inline_to_who_may_see_them_only(client, campaign, alice, bob):
    activity = create(campaign, alice)
    client.force_login(alice)
    response = client.post(url("photo_add", pk=activity.pk), {"photo": upload("现场\u202egpj.jpg", JPEG)})
    assert response.status_code == 302
    photo = ActivityPhoto.objects.get()
    shown = client.get(url("photo", pk=activity.pk, photo_pk=photo.pk))
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown["Content-Disposition"].startswith("inline") and "\u202e" not in shown["Content-Disposition"]
    assert b"".join(shown.streaming_content) == JPEG
    client.force_login(bob)
    assert client.get(url("photo", pk=activity.pk, photo_pk=photo.pk)).status_code == 404


def test_a_pdf_named_jpg_is_refused_on_the_page(client, campaign, alice):
    activity = create(campaign, alice)
    client.force_login(alice)
    response = client.post(url("photo_add", pk=activity.pk), {"photo": upload("现场.jpg", make_pdf())})
    assert response.status_code == 422
    assert "不是 JPEG 或 PNG" in response.content.decode()
    assert not ActivityPhoto.objects.exists()


def test_the_lead_body_sees_every_units_published_activities_under_its_plan_activity(
    client, campaign, alice, bob, erin
):
    guangdong = published(campaign, alice, plan_activity="8", title="广东进出口诚信宣讲")
    published(campaign, bob, "110000", region_code="110000", plan_activity="8", title="北京海关开放日")
    draft = create(campaign, alice, plan_activity="8", title="广东尚未发布的草稿")
    client.force_login(erin)
    page = client.get(url("plan", number=8)).content.decode()
    assert "广东进出口诚信宣讲" in page and "北京海关开放日" in page
    assert "广东尚未发布的草稿" not in page and "1 项草稿" in page
    assert client.get(url("detail", pk=guangdong.pk)).status_code == 200
    assert client.get(url("detail", pk=draft.pk)).status_code == 404
    assert client.get(url("edit", pk=guangdong.pk)).status_code == 404
    assert client.post(url("withdraw", pk=guangdong.pk)).status_code == 404
    assert Activity.objects.get(pk=guangdong.pk).status == ActivityStatus.PUBLISHED


def test_a_body_that_does_not_lead_the_plan_activity_gets_404(client, campaign, bob, erin, carol):
    client.force_login(erin)
    assert client.get(url("plan", number=1)).status_code == 404  # led by 商务部
    client.force_login(bob)
    assert client.get(url("plan", number=8)).status_code == 404
    client.force_login(carol)
    assert client.get(url("plan", number=8)).status_code == 200
    assert client.get(url("plan", number=99)).status_code == 404


def test_anonymous_is_sent_to_login(client, campaign):
    response = client.get(url("list"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_prefill_partial_shows_suggested_typed_and_difference(campaign):
    definition = form_definition(campaign)
    suggested = {"meeting_sessions": 3, "web_news": 15}
    current = {"meeting_sessions": 3, "web_news": 10, "people_reached": 50000}
    html = render_to_string(
        "activities/_prefill.html", {"suggested": suggested, "definition": definition, "current": current}
    )
    assert "根据已发布活动汇总的建议数" in html and "差异" in html
    assert 'data-code="web_news" data-suggested="15"' in html
    assert "−5" in html and "一致" in html
    assert "people_reached" not in html
    assert "data-prefill-apply" in html and "chengxin/prefill.js" in html
    readonly = render_to_string(
        "activities/_prefill.html",
        {"suggested": suggested, "definition": definition, "current": current, "readonly": True},
    )
    assert "−5" in readonly and "data-prefill-apply" not in readonly and "prefill.js" not in readonly


def test_the_national_admin_registers_for_a_unit_and_a_reviewer_cannot_open_the_form(client, campaign, carol, dave):
    client.force_login(carol)
    assert client.get(url("create")).status_code == 404
    client.force_login(dave)
    assert client.get(url("create"), {"unit": "440000"}).status_code == 200
    response = client.post(url("create"), {**raw(), "unit": "440000"})
    assert response.status_code == 302
    assert Activity.objects.get().unit.code == "440000"
    response = client.post(url("create"), raw())  # no unit chosen
    assert response.status_code == 422 and "请选择登记单位" in response.content.decode()
