"""The indices' pages: the public list, index page, release page and CSV (published data only, cached, invalidated
by a publication); the editors' upload with its preview and confirmation; the ministry's review; the menus."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chengxin.indices import services
from chengxin.indices.models import IndexRelease, IndexUpload, ReleaseStatus
from chengxin.indices.tests.builders import csv_bytes, make_index, make_release, monthly_rows, published, xlsx_bytes

pytestmark = pytest.mark.django_db

LIST = reverse("indices:public_list")


def _page(code: str = "sh-shopping") -> str:
    return reverse("indices:public_index", kwargs={"code": code})


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def index(sally):
    return make_index(sally)


@pytest.fixture
def live(index, sally, carol):
    """Three months of 全国 and 上海市, published."""
    return published(index, sally, carol, monthly_rows())


# --- public ---------------------------------------------------------------------------------------------------------


def test_the_public_page_shows_latest_value_change_chart_data_tables_and_method(client, live, index):
    response = client.get(_page())
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=60"
    page = _text(response)
    latest = re.search(r'<div class="index-latest" id="latest">(.*?)</div>', page, re.S)[1]
    assert "全国 · 2020-10" in latest and "101.8" in latest and "比上期 +0.6" in latest and "+0.59%" in latest
    chart = json.loads(re.search(r'<script id="index-series" type="application/json">(.*?)</script>', page, re.S)[1])
    assert chart == {"periods": ["2020-08", "2020-09", "2020-10"], "values": [100.6, 101.2, 101.8]}
    series = re.search(r'<table class="index-table" id="series-table">(.*?)</table>', page, re.S)[1]
    for period, value in (("2020-08", "100.6"), ("2020-09", "101.2"), ("2020-10", "101.8")):
        assert f'<td>{period}</td><td class="num">{value}</td>' in series  # the chart's numbers, as a table
    regions = re.search(r'<table class="index-table" id="region-table">(.*?)</table>', page, re.S)[1]
    assert regions.index("全国") < regions.index("上海市") and "103.8" in regions
    assert "各地区（2020-10）" in page
    assert index.method in page and "2015年=100" in page
    assert reverse("indices:public_csv", kwargs={"code": "sh-shopping"}) in page
    assert 'class="table-scroll" role="region" tabindex="0"' in page


def test_the_list_shows_published_indices_with_their_latest_value(client, live):
    page = _text(client.get(LIST))
    assert "上海购物诚信指数" in page and "上海市" in page and "2020-10" in page and "101.8" in page


def test_the_csv_download_is_the_published_data(client, live):
    response = client.get(reverse("indices:public_csv", kwargs={"code": "sh-shopping"}))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"] and "filename*=UTF-8''" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["指数", "期间", "地区代码", "地区", "数值"]
    assert rows[1] == ["index", "period", "region_code", "region_name", "value", "unit", "version", "published_at"]
    data = [(r[1], r[2], r[4]) for r in rows[2:]]
    assert data == [(p, r, v.rstrip("0").rstrip(".") if "." in v else v) for p, r, v in monthly_rows()]
    assert {r[0] for r in rows[2:]} == {"上海购物诚信指数"} and {r[6] for r in rows[2:]} == {"1"}


def test_csv_text_is_neutralised_for_spreadsheets(client, sally, carol):
    index = make_index(sally, code="formula", name="=HYPERLINK(1)")
    published(index, sally, carol, monthly_rows())
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("indices:public_csv", kwargs={"code": "formula"})).content.decode("utf-8-sig")
            )
        )
    )
    assert rows[2][0] == "'=HYPERLINK(1)"


def test_unpublished_releases_are_invisible_to_the_public(client, index, sally, carol):
    release = make_release(index, sally, csv_bytes(monthly_rows()))  # submitted, not published
    assert client.get(_page()).status_code == 404
    assert client.get(reverse("indices:public_csv", kwargs={"code": "sh-shopping"})).status_code == 404
    assert (
        client.get(reverse("indices:public_release", kwargs={"code": "sh-shopping", "version": 1})).status_code == 404
    )
    assert "上海购物诚信指数" not in _text(client.get(LIST))
    # A later release waiting for review does not show beside a published one either.
    services.release_publish(release=release, acting_user=carol)
    make_release(index, sally, csv_bytes(monthly_rows(months=[("2020-11", "150")])))
    page = _text(client.get(_page()))
    assert "2020-11" not in page and "150" not in page
    assert (
        client.get(reverse("indices:public_release", kwargs={"code": "sh-shopping", "version": 2})).status_code == 404
    )


def test_a_publication_shows_at_once_on_the_cached_pages(client, live, index, sally, carol):
    assert "2020-11" not in _text(client.get(_page()))  # now cached
    assert "102.4" not in _text(client.get(LIST))
    published(index, sally, carol, monthly_rows(months=[("2020-11", "102.4")]))
    page = _text(client.get(_page()))
    assert "2020-11" in page and "102.4" in page
    assert "102.4" in _text(client.get(LIST))


def test_a_correction_is_shown_as_a_revision_and_the_old_release_stays_readable(client, live, index, sally, carol):
    client.get(_page())  # cached before the correction
    rows = monthly_rows(months=[("2020-08", "100.6"), ("2020-09", "101.2"), ("2020-10", "101.5")])
    correction = published(index, sally, carol, rows, replaces=live, revision_note="10月样本商户名单有误，已更正")
    page = _text(client.get(_page()))
    assert "已修订" in page and "10月样本商户名单有误，已更正" in page
    assert timezone.localtime(correction.published_at).strftime("%Y-%m-%d") in page  # in China's time
    old_url = reverse("indices:public_release", kwargs={"code": "sh-shopping", "version": 1})
    assert old_url in page and "101.5" in page
    old = client.get(old_url)
    assert old.status_code == 200
    old_page = _text(old)
    assert "本版本已被修订替代" in old_page and "101.8" in old_page and "由第 2 版更正" in old_page
    new_page = _text(client.get(reverse("indices:public_release", kwargs={"code": "sh-shopping", "version": 2})))
    assert "本版本修订了第 1 版" in new_page and "现行版本" in new_page
    # The CSV holds the corrected numbers only.
    data = client.get(reverse("indices:public_csv", kwargs={"code": "sh-shopping"})).content.decode("utf-8-sig")
    assert "2020-10,000000,全国,101.5," in data and "101.8" not in data


def test_the_public_nav_leads_to_the_indices(client, campaign):
    assert LIST in _text(client.get(reverse("portal:campaign", kwargs={"year": 2020})))


# --- staff ----------------------------------------------------------------------------------------------------------


def _upload(client, index, content: bytes, name: str = "shanghai.csv"):
    return client.post(
        reverse("indices:manage", kwargs={"code": index.code}), {"file": SimpleUploadedFile(name, content)}
    )


def test_an_editor_uploads_previews_and_confirms(client, index, sally):
    client.force_login(sally)
    response = _upload(client, index, xlsx_bytes(monthly_rows()), "shanghai.xlsx")
    upload = IndexUpload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("indices:preview", kwargs={"job_id": upload.pk})
    preview = _text(client.get(response["Location"]))
    assert "可读取 6 条数据：3 个期间，2 个地区" in preview and "尚未保存任何数据" in preview
    assert IndexRelease.objects.count() == 0
    response = client.post(reverse("indices:preview", kwargs={"job_id": upload.pk}), {"action": "submit"})
    release = IndexRelease.objects.get()
    assert response.status_code == 302 and release.status == ReleaseStatus.SUBMITTED
    assert release.source_name == "shanghai.xlsx"


def test_the_preview_lists_every_refused_row_and_nothing_can_be_confirmed(client, index, sally):
    client.force_login(sally)
    rows = [*monthly_rows(), ("2020-11", "上海", "abc"), ("2020Q4", "火星", "1")]
    _upload(client, index, csv_bytes(rows, encoding="gbk"), "上海.csv")
    url = reverse("indices:preview", kwargs={"job_id": IndexUpload.objects.get().pk})
    page = _text(client.get(url))
    assert "<code>上海.csv!8</code> 数值“abc”不是数字" in page
    assert "<code>上海.csv!9</code> 期间“2020Q4”是季度" in page and "<code>上海.csv!9</code> 地区“火星”" in page
    assert "提交审核" not in page
    response = client.post(url, {"action": "submit"})
    assert response.status_code == 422 and IndexRelease.objects.count() == 0


def test_a_correction_is_chosen_on_the_preview(client, live, index, sally):
    client.force_login(sally)
    _upload(client, index, csv_bytes(monthly_rows(months=[("2020-08", "1"), ("2020-09", "2"), ("2020-10", "3")])))
    url = reverse("indices:preview", kwargs={"job_id": IndexUpload.objects.get().pk})
    assert "修订已发布的第 1 版" in _text(client.get(url))
    refused = client.post(url, {"action": "submit"})  # as new data: it overlaps the published release
    assert refused.status_code == 409 and "第 1 版已发布" in _text(refused)
    response = client.post(url, {"action": "submit", "replaces": str(live.pk), "revision_note": "更正三个月的数据"})
    assert response.status_code == 302
    assert IndexRelease.objects.get(version=2).replaces == live


def test_other_units_and_the_public_get_404_or_the_login(client, index, live, sally, alice, carol):
    draft = make_release(index, sally, csv_bytes(monthly_rows(months=[("2020-11", "1")])), submit=False)
    upload = services.upload_stage(index=index, name="x.csv", content=csv_bytes(monthly_rows()), acting_user=sally)
    staff_urls = [
        reverse("indices:manage", kwargs={"code": index.code}),
        reverse("indices:edit", kwargs={"code": index.code}),
        reverse("indices:release", kwargs={"pk": draft.pk}),
        reverse("indices:preview", kwargs={"job_id": upload.pk}),
    ]
    for url in staff_urls:
        assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(alice)
    for url in staff_urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("indices:release_submit", kwargs={"pk": draft.pk})).status_code == 404
    assert (
        client.post(reverse("indices:release_decide", kwargs={"pk": draft.pk}), {"action": "publish"}).status_code
        == 404
    )
    client.force_login(carol)  # the ministry reads releases, not the unit's editing pages
    assert client.get(reverse("indices:release", kwargs={"pk": draft.pk})).status_code == 200
    assert client.get(staff_urls[0]).status_code == 404
    assert client.get(reverse("indices:mine")).status_code == 404
    draft.refresh_from_db()
    assert draft.status == ReleaseStatus.DRAFT


def test_the_ministry_reviews_from_its_page(client, index, sally, carol):
    release = make_release(index, sally, csv_bytes(monthly_rows()))
    client.force_login(carol)
    page = _text(client.get(reverse("indices:moderate")))
    assert reverse("indices:release", kwargs={"pk": release.pk}) in page
    response = client.post(reverse("indices:release_decide", kwargs={"pk": release.pk}), {"action": "publish"})
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.status == ReleaseStatus.PUBLISHED


def test_a_correction_shows_its_changes_to_the_reviewer(client, live, index, sally, carol):
    rows = monthly_rows(months=[("2020-08", "100.6"), ("2020-09", "101.2"), ("2020-10", "101.5")])
    correction = make_release(index, sally, csv_bytes(rows), replaces=live, revision_note="更正10月")
    client.force_login(carol)
    page = _text(client.get(reverse("indices:release", kwargs={"pk": correction.pk})))
    changes = re.search(r'<section class="card" id="changes">(.*?)</section>', page, re.S)[1]
    assert "101.8" in changes and "101.5" in changes and "2020-09" not in changes


def test_the_index_description_is_fixed_once_published(client, live, index, sally):
    client.force_login(sally)
    url = reverse("indices:edit", kwargs={"code": index.code})
    assert "指数说明不能再修改" in _text(client.get(url))
    response = client.post(
        url,
        {
            "code": index.code,
            "name": "改名",
            "frequency": "month",
            "unit_of_measure": "点",
            "base_period": "2015年",
            "base_value": "100",
            "method": "新方法",
        },
    )
    assert response.status_code == 409
    index.refresh_from_db()
    assert index.name == "上海购物诚信指数"


def test_an_editor_creates_an_index_from_the_menu(client, sally):
    client.force_login(sally)
    home = _text(client.get(reverse("portal:case_mine")))
    assert reverse("indices:mine") in home and "诚信指数发布" in home
    response = client.post(
        reverse("indices:new"),
        {
            "code": "sh-food",
            "name": "上海餐饮诚信指数",
            "frequency": "quarter",
            "unit_of_measure": "点",
            "base_period": "2018年",
            "base_value": "100",
            "method": "按季度抽样调查。",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("indices:manage", kwargs={"code": "sh-food"})


def test_the_ministry_menu_leads_to_the_review(client, carol):
    client.force_login(carol)
    page = _text(client.get(reverse("portal:case_moderate")))
    assert reverse("indices:moderate") in page and "指数审核" in page


def test_the_templates_download(client, sally):
    client.force_login(sally)
    xlsx = client.get(reverse("indices:template_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    template = client.get(reverse("indices:template_csv")).content
    from chengxin.core.regions import PROVINCES
    from chengxin.indices.parse import Regions, parse_release

    regions = Regions.build(dict(PROVINCES))
    for content, name in ((template, "t.csv"), (xlsx.content, "t.xlsx")):
        parsed = parse_release(content, name, regions=regions, frequency="month")
        assert parsed.ok and len(parsed.rows) == 4, parsed.refusals  # the template itself uploads cleanly
