"""The auditor's pages: search, paging, CSV export, chain status; nobody else opens them."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from chengxin.audit.models import AuditEvent
from chengxin.audit.services import audit_record
from chengxin.audit.tests.conftest import newest, triggers_lifted
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")
EXPORT = reverse("audit:export")
CHECK = reverse("audit:check")


@pytest.fixture
def auditor_client(client, ivan):
    client.force_login(ivan)
    return client


@pytest.fixture
def some_rows(alice, bob, at_time):
    """alice's and bob's rows on two days, one failure, one formula-like name."""
    day = timezone.make_aware(dt.datetime(2020, 11, 20, 10, 0))
    with at_time(day):
        audit_record(action="update", actor=alice, object_type="reporting.report", object_repr="2020 广东省")
    with at_time(day + dt.timedelta(days=2)):
        audit_record(action="update", actor=bob, object_type="reporting.report", object_repr="2020 北京市")
        audit_record(action="login_failed", outcome="failure", actor_name="mallory", object_repr="mallory")
        audit_record(action="create", actor=bob, object_type="units.unit", object_repr='=HYPERLINK("http://x")')


def _reprs(response) -> list[str]:
    return [e.object_repr for e in response.context["page"]]


@pytest.mark.parametrize("who", ["alice", "carol", "dave", "sam"])
def test_only_the_auditor_opens_the_log(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in (LIST, EXPORT, CHECK):
        assert client.get(url).status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client, db):
    for url in (LIST, EXPORT, CHECK):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_list_is_newest_first_with_the_chain_status(auditor_client, some_rows):
    response = auditor_client.get(LIST)
    assert response.status_code == 200
    seqs = [e.seq for e in response.context["page"]]
    assert seqs == sorted(seqs, reverse=True) and seqs[0] == newest().seq
    page = response.content.decode()
    assert "审计链：最近" in page and "校验通过" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"date_from": "2020-11-20", "date_to": "2020-11-20"}, ["2020 广东省"]),
        (
            {"date_from": "2020-11-21", "date_to": "2020-11-22", "actor": "bob"},
            ['=HYPERLINK("http://x")', "2020 北京市"],
        ),
        ({"unit": "110000", "object_type": "reporting.report"}, ["2020 北京市"]),
        ({"unit": "广东", "date_to": "2020-12-31"}, ["2020 广东省"]),
        ({"action": "login_failed"}, ["mallory"]),
        ({"outcome": "failure", "date_to": "2020-12-31"}, ["mallory"]),
        ({"text": "北京", "date_to": "2020-12-31"}, ["2020 北京市"]),
    ],
)
def test_search_by_each_filter(auditor_client, some_rows, query, expected):
    response = auditor_client.get(LIST, query)
    assert response.status_code == 200
    assert _reprs(response) == expected


def test_bad_search_input_is_explained_not_a_500(auditor_client, some_rows):
    response = auditor_client.get(LIST, {"date_from": "2020-11-30", "date_to": "2020-11-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert auditor_client.get(LIST, {"date_from": "昨天"}).status_code == 400
    assert auditor_client.get(EXPORT, {"action": "no-such-action"}).status_code == 400


def test_pages_of_fifty(auditor_client, campaign):
    for n in range(60):
        audit_record(action="update", object_repr=f"分页{n}")
    first = auditor_client.get(LIST, {"text": "分页"})
    assert len(first.context["page"]) == 50 and _reprs(first)[0] == "分页59"
    second = auditor_client.get(LIST, {"text": "分页", "page": 2})
    assert _reprs(second) == [f"分页{n}" for n in range(9, -1, -1)]
    assert "text=%E5%88%86%E9%A1%B5&amp;page=1" in second.content.decode()


def test_export_is_the_current_search_as_csv_with_bom_and_neutralised_cells(auditor_client, some_rows):
    response = auditor_client.get(EXPORT, {"actor": "bob", "date_to": "2020-12-31"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "时间", "操作人"]
    assert [r[9] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "2020 北京市"]
    assert all(r[2] == "bob" for r in rows[1:])
    assert rows[2][1] == "2020-11-22 10:00:00"
    # The export itself is recorded.
    assert (newest().action, newest().actor_name) == ("audit_export", "ivan")


def test_the_full_check_page_and_a_broken_chain(auditor_client, some_rows):
    response = auditor_client.get(CHECK)
    assert "审计链完整" in response.content.decode()
    victim = AuditEvent.objects.get(actor_name="bob", object_repr="2020 北京市")
    with triggers_lifted() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["2020 上海市", victim.seq])
    page = auditor_client.get(CHECK).content.decode()
    assert f"第 {victim.seq} 条记录的内容与其哈希不符" in page
    assert "请运行完整校验" in auditor_client.get(LIST).content.decode()


def test_the_auditor_reads_a_delete_of_a_unit(auditor_client, campaign):
    Unit.objects.create(code="469100", name="被删除的单位", short_name="删", kind="province").delete()
    response = auditor_client.get(LIST, {"action": "delete", "object_type": "units.unit"})
    assert "被删除的单位" in response.content.decode()
