"""The entry table as a screen reader meets it (issue 16): every input is named by its row and figure ("户外活动 会议
场次", not "场次"), and the message beside a cell is tied to the cell's input by aria-describedby, the error summary
above the table being announced (role="alert")."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from chengxin.conftest import VALID_FIGURES
from chengxin.statform.selectors import form_definition

pytestmark = pytest.mark.django_db

ENTRY = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})


class _Elements(HTMLParser):
    """Every input's attributes by name, every element with an id: its text; the roles used on the page."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.texts: dict[str, str] = {}
        self.roles: set[str] = set()
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of the elements being read
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            self.inputs[a["name"]] = a
        if a.get("role"):
            self.roles.add(a["role"])
        if tag not in ("input", "br", "img", "meta", "link"):
            self._open.append((tag, a.get("id")))
            if a.get("id"):
                self.texts[a["id"]] = ""

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def _save(client, figures: dict[str, str]) -> str:
    data = {f"f_{code}": value for code, value in figures.items()} | {"version": 0, "action": "save"}
    return client.post(ENTRY, data).content.decode()


def test_every_input_is_named_by_its_row_and_figure(client, campaign, alice):
    client.force_login(alice)
    page = _Elements(client.get(ENTRY).content.decode())
    assert page.inputs["f_meeting_sessions"]["aria-label"] == "户外活动 会议 场次"
    assert page.inputs["f_live_sessions"]["aria-label"] == "新媒介 直播 场次"  # the other "场次" of the table
    assert page.inputs["f_material_methods"]["aria-label"] == "户外活动 宣传资料展示 方式"
    assert page.inputs["f_people_reached"]["aria-label"] == "宣传效果 宣传覆盖总人数 人次"
    names = [page.inputs[f"f_{f.code}"]["aria-label"] for f in form_definition(campaign).figures]
    assert len(set(names)) == len(names)  # no two cells sound alike
    assert not any("aria-describedby" in attrs for attrs in page.inputs.values())  # nothing to describe yet


def test_a_mistyped_value_is_tied_to_its_input_and_announced(client, campaign, alice):
    client.force_login(alice)
    page = _Elements(_save(client, dict(VALID_FIGURES, tv_news="三条")))
    tv_news = page.inputs["f_tv_news"]
    assert tv_news["aria-label"] == "传统媒介 电视新闻 条数"
    assert tv_news["aria-invalid"] == "true"
    [message_id] = tv_news["aria-describedby"].split()
    assert "“三条”不是有效的数字" in page.texts[message_id]
    assert "alert" in page.roles  # the summary of what was not saved, announced when the page opens
    assert "aria-describedby" not in page.inputs["f_radio_broadcasts"]


def test_a_rules_error_and_a_warning_are_tied_to_every_cell_they_are_about(client, campaign, alice):
    client.force_login(alice)
    _save(client, dict(VALID_FIGURES, meeting_attendance="5", people_reached="100"))
    page = _Elements(client.get(ENTRY).content.decode())  # the saved draft, with its findings
    # The rule names both meeting cells: both are invalid and both say why (the message sits beside 人次).
    for code in ("meeting_attendance", "meeting_sessions"):
        attrs = page.inputs[f"f_{code}"]
        assert attrs["aria-invalid"] == "true"
        assert any("人次不能少于场次" in page.texts[i] for i in attrs["aria-describedby"].split()), code
    reached = page.inputs["f_people_reached"]
    assert "aria-invalid" not in reached  # a warning is not an error
    [warning_id] = reached["aria-describedby"].split()
    assert "宣传覆盖总人数小于会议人次与直播观看人次之和" in page.texts[warning_id]
    ids = re.findall(r'\bid="([^"]+)"', client.get(ENTRY).content.decode())
    assert len(ids) == len(set(ids))  # every id the inputs point at names one element
