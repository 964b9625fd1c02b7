"""What anybody may read without an account, as the public pages show it: campaigns, published activities and
the commitment search. The form's definition needs an account."""

import pytest

from chengxin.activities.tests import factories as activity_factories
from chengxin.commitments.models import Status as CommitmentStatus
from chengxin.commitments.tests.factories import make_commitment

HUAWEI = "914403001922038216"


def test_campaigns_are_listed_for_anybody(as_anonymous):
    response = as_anonymous.get("/campaigns")
    assert response.status_code == 200
    [campaign] = response.json()
    assert campaign["year"] == 2020
    assert campaign["theme"] == "诚实经营、守信服务"
    assert campaign["deadline"] == "2020-11-25"


def test_a_campaign_reads_like_its_public_page(as_anonymous):
    body = as_anonymous.get("/campaigns/2020").json()
    assert body["notice_title"].startswith("商务部等19部门")
    assert len(body["focus_areas"]) == 3
    assert len(body["requirements"]) == 4
    assert len(body["plan"]) == 15
    assert body["plan"][0]["lead_body"] == "MOFCOM"
    assert body["bodies"][0] == {"code": "MOFCOM", "name": body["bodies"][0]["name"]}
    assert body["contact"]["phone"] == "010-85093311"


@pytest.mark.parametrize("year", ["2019", "1990"])
def test_an_unknown_year_is_404(as_anonymous, year):
    response = as_anonymous.get(f"/campaigns/{year}")
    assert response.status_code == 404
    assert response.json()["errors"] == []


def test_the_form_needs_an_account_and_describes_groups_figures_and_rules(as_anonymous, as_alice):
    assert as_anonymous.get("/campaigns/2020/form").status_code == 401
    body = as_alice.get("/campaigns/2020/form").json()
    codes = [f["code"] for f in body["figures"]]
    assert codes[:2] == ["meeting_sessions", "meeting_attendance"]
    assert len(codes) == 13
    kinds = {f["code"]: f["kind"] for f in body["figures"]}
    assert kinds["material_methods"] == "text"
    assert kinds["live_viewers"] == "number"

    def leaves(groups):
        for group in groups:
            yield from group["figures"]
            yield from leaves(group["groups"])

    assert list(leaves(body["groups"])) == codes
    assert {r["severity"] for r in body["rules"]} == {"error", "warning"}


def test_published_activities_only_with_paging(as_anonymous, campaign, alice, bob):
    for day in range(1, 6):
        activity_factories.published(
            campaign, alice, title=f"广东活动{day}", start_date=f"2020-10-0{day}", end_date=f"2020-10-0{day}"
        )
    activity_factories.create(campaign, bob, "110000", title="北京草稿")  # a draft: never public
    first = as_anonymous.get("/campaigns/2020/activities", {"per_page": 2}).json()
    assert first["count"] == 5
    assert [a["title"] for a in first["items"]] == ["广东活动1", "广东活动2"]
    assert first["items"][0]["unit"] == "440000"
    assert first["items"][0]["mode_label"] == "线下"
    last = as_anonymous.get("/campaigns/2020/activities", {"per_page": 2, "page": 3}).json()
    assert [a["title"] for a in last["items"]] == ["广东活动5"]
    assert as_anonymous.get("/campaigns/2020/activities", {"page": 9}).json()["items"] == []
    assert as_anonymous.get("/campaigns/2020/activities", {"per_page": 1000}).status_code == 422


def test_commitment_search_shows_public_ones_without_contacts(as_anonymous, campaign):
    make_commitment(campaign, name="华为技术有限公司", uscc=HUAWEI)
    make_commitment(campaign, name="华润万家有限公司")
    make_commitment(campaign, name="华而不实有限公司", status=CommitmentStatus.PENDING)
    by_name = as_anonymous.get("/commitments", {"q": "华", "match": "prefix"}).json()
    assert by_name["count"] == 2
    assert {c["name"] for c in by_name["items"]} == {"华为技术有限公司", "华润万家有限公司"}
    assert "contact_phone" not in by_name["items"][0]
    by_code = as_anonymous.get("/commitments", {"q": HUAWEI, "year": 2020}).json()
    assert [c["uscc"] for c in by_code["items"]] == [HUAWEI]
    assert by_code["items"][0]["region"] == "广东省"
    assert as_anonymous.get("/commitments", {"q": "万家"}).json()["count"] == 1


def test_commitment_search_refuses_nul_and_overlong_queries(as_anonymous):
    assert as_anonymous.get("/commitments", {"q": "华\x00"}).status_code == 422
    assert as_anonymous.get("/commitments", {"q": "华" * 101}).status_code == 422
    assert as_anonymous.get("/commitments", {"year": 2019}).status_code == 404
