"""English beside the Chinese default.

A browser that asks for nothing, or for Chinese, gets Chinese; choosing English with the header's switch
(Django's set_language) turns the pages and the domain's messages English, while the ministry's data (unit
names, the form's labels, rule messages) stays as it is. The English catalogue translates every string marked
for translation, and its compiled .mo (kept in the tree) says the same as the .po.
"""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

import chengxin
from chengxin.conftest import VALID_FIGURES
from chengxin.reporting import services
from chengxin.statform.models import Figure, Row, Rule, StatForm
from chengxin.statform.selectors import form_definition
from chengxin.units.models import Unit

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
SET_LANGUAGE = reverse("set_language")
ENTRY = reverse("reporting:entry", kwargs={"year": 2020, "unit_code": "440000"})
REVIEW = reverse("reporting:review", kwargs={"year": 2020, "unit_code": "440000"})
REVIEW_ACTION = reverse("reporting:review_action", kwargs={"year": 2020, "unit_code": "440000"})
COMPLETENESS = reverse("analytics:completeness", kwargs={"year": 2020})
CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
SOURCE = Path(chengxin.__file__).parent
HAN = re.compile(r"[\u4e00-\u9fff]")
WARNING_FIGURES = dict(VALID_FIGURES, people_reached="1万")  # below attendance: one warning to explain

# Interface words of the entry page (header, dates, table head, check results, actions, summary, history):
# none of them is ministry data, so none may be left on the English page.
ENTRY_UI_PHRASES = [
    "诚信兴商宣传月活动管理平台",
    "本单位填报",
    "退出",
    "填报单位",
    "状态：",
    "报送",
    "锁定",
    "逾期",
    "项目",
    "填报数据",
    "校验结果",
    "请对以下提示填写说明",
    "保存草稿",
    "打印预览",
    "总结报告",
    "上传",
    "修改记录",
    "操作人",
    "草稿",
]


def _choose(client, language: str, next_url: str) -> None:
    """Press the header's language switch on `next_url`."""
    response = client.post(SET_LANGUAGE, {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


@pytest.fixture
def submitted(alice, guangdong_report, docx_upload):
    report = services.report_save_draft(
        report=guangdong_report, raw_values=VALID_FIGURES, version=None, acting_user=alice
    ).report
    services.report_upload_summary(report=report, uploaded_file=docx_upload, acting_user=alice)
    return services.report_submit(report=report, version=None, acting_user=alice)


# --- Chinese by default --------------------------------------------------------------------------------


@pytest.mark.parametrize("accept_language", [None, "zh-CN,zh;q=0.9", "zh", "en-US,en;q=0.9"])
def test_login_page_is_chinese_unless_english_is_chosen(client, campaign, accept_language):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    html = client.get(LOGIN, **headers).content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "<h1>登录</h1>" in html and "用户名" in html and "请使用本单位的账号登录" in html
    assert "Log in" not in html


def test_reporter_entry_page_is_chinese_by_default_and_offers_english(client, alice):
    client.force_login(alice)
    html = client.get(ENTRY).content.decode()
    assert '<html lang="zh-Hans">' in html
    for phrase in ("本单位填报", "填报单位：", "校验结果", "保存草稿", "报送", "总结报告", "修改记录", "退出"):
        assert phrase in html, phrase
    # The switch posts to set_language and comes back to this page.
    assert f'<form method="post" action="{SET_LANGUAGE}"' in html
    assert f'<input type="hidden" name="next" value="{ENTRY}">' in html
    assert 'name="language" value="en"' in html


# --- English once chosen -------------------------------------------------------------------------------


def test_entry_page_in_english_keeps_the_ministrys_data(client, alice):
    client.force_login(alice)
    _choose(client, "en", ENTRY)
    html = client.get(ENTRY).content.decode()
    assert '<html lang="en">' in html
    for phrase in ("My unit's report", "Reporting unit:", "Check results", "Save draft", "Submit", "Summary report"):
        assert phrase in html, phrase
    assert "Log out" in html and "History" in html
    # Data is not translated: the form's title and labels and the unit's name are the ministry's.
    assert "2020年“诚信兴商宣传月”活动统计表" in html
    assert "广东省" in html and "会议（场次、人次）" in html

    _choose(client, "zh-hans", ENTRY)
    assert "保存草稿" in client.get(ENTRY).content.decode()


def test_saving_in_english_says_so_in_english(client, alice):
    client.force_login(alice)
    _choose(client, "en", ENTRY)
    data = {f"f_{code}": value for code, value in VALID_FIGURES.items()} | {"version": 0, "action": "save"}
    html = client.post(ENTRY, data, follow=True).content.decode()
    assert "Draft saved." in html
    assert "草稿已保存" not in html


def test_a_bad_number_is_explained_in_english(client, alice):
    client.force_login(alice)
    _choose(client, "en", ENTRY)
    data = {f"f_{code}": value for code, value in VALID_FIGURES.items()} | {"version": 0, "action": "save"}
    html = client.post(ENTRY, data | {"f_tv_news": "三条"}).content.decode()
    assert "“三条” is not a valid number" in html
    assert "不是有效的数字" not in html


def test_completeness_page_in_english(client, carol):
    client.force_login(carol)
    _choose(client, "en", COMPLETENESS)
    html = client.get(COMPLETENESS).content.decode()
    assert "The deadline was November 25, 2020" in html
    for phrase in ("Submissions", "Unit category", "Submission rate", "Awaiting review", "Not started", "Total"):
        assert phrase in html, phrase
    assert "Provinces, autonomous regions and municipalities" in html  # the unit kinds' labels
    assert "北京市" in html  # unit names stay as they are
    for phrase in ("报送情况", "单位类别", "报送率", "待审核", "未填报", "合计"):
        assert phrase not in html, phrase


def test_a_refused_return_is_explained_in_english(client, carol, submitted):
    client.force_login(carol)
    _choose(client, "en", REVIEW)
    response = client.post(REVIEW_ACTION, {"action": "return", "reason": " "})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter the reason for returning the report" in html
    assert "请填写退回原因" not in html
    assert "Return for revision" in html


def test_the_language_chosen_is_per_browser(client, alice):
    client.force_login(alice)
    _choose(client, "en", ENTRY)
    assert "Save draft" in client.get(ENTRY).content.decode()
    other = Client()  # another browser of the same person, which never chose
    other.force_login(alice)
    assert "保存草稿" in other.get(ENTRY).content.decode()


# --- Nothing of the interface left in Chinese ----------------------------------------------------------


class _ChineseText(HTMLParser):
    """Every text node and human-read attribute of a page that contains Chinese characters."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "data-confirm", "alt")

    def __init__(self, html: str):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [v for k, v in attrs if k in self.ATTRIBUTES and v and HAN.search(v)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and HAN.search(data):
            self.texts.append(data.strip())


def _ministry_data(campaign) -> list[str]:
    """The texts on the entry page that are data and stay Chinese in English (longest first)."""
    texts = {campaign.title, campaign.theme, "中文"}  # the switch names each language in that language
    texts.update(StatForm.objects.filter(campaign=campaign).values_list("title", flat=True))
    texts.update(Row.objects.filter(form__campaign=campaign).values_list("label", flat=True))
    for values in Figure.objects.filter(form__campaign=campaign).values_list("label", "unit_of_measure", "help_text"):
        texts.update(values)
    texts.update(Rule.objects.filter(form__campaign=campaign).values_list("message", flat=True))
    # Compact names built from the labels ("会议 场次") and a unit in brackets ("（场）"), as tables show them.
    for f in form_definition(campaign).figures:
        texts.update((f.short_name, f"{f.short_name}（{f.unit}）", f"（{f.unit}）"))
    for unit in Unit.objects.all():
        texts.update((unit.name, unit.short_name, unit.full_name))
    texts.update(WARNING_FIGURES.values())
    texts.update(("1.2万", "3亿"))  # the typing hint's examples: what a cell accepts, Chinese in any language
    return sorted((t for t in texts if t and HAN.search(t)), key=len, reverse=True)


def test_english_entry_page_has_no_chinese_but_the_ministrys_data(client, campaign, alice):
    client.force_login(alice)
    _choose(client, "en", ENTRY)
    # A saved draft with a warning: the page then shows findings, explanations, a message and history.
    data = {f"f_{code}": value for code, value in WARNING_FIGURES.items()} | {"version": 0, "action": "save"}
    html = client.post(ENTRY, data, follow=True).content.decode()
    assert "Explain the following warnings" in html

    texts = _ChineseText(html).texts
    for phrase in ENTRY_UI_PHRASES:
        assert not [t for t in texts if phrase in t], phrase
    data = _ministry_data(campaign)
    left = []
    for text in texts:
        for known in data:
            text = text.replace(known, "")
        text = re.sub(r"“[^”]*”", "", text)  # the English hint quoting a form label
        if HAN.search(text):
            left.append(text)
    assert left == []


# --- The catalogue -------------------------------------------------------------------------------------


def _po_entries() -> list[dict]:
    """The .po's entries (header excluded): flags, msgctxt, msgid, msgid_plural, msgstr by index."""
    entries, entry, field = [], None, None
    lines = (CATALOGUE / "django.po").read_text(encoding="utf-8").splitlines()
    for line in [*lines, ""]:
        if not line.strip():
            if entry is not None and entry.get("msgid"):
                entries.append(entry)
            entry = field = None
            continue
        entry = entry if entry is not None else {"flags": "", "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] += line[2:]
        elif line.startswith("#"):
            continue
        elif match := re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (\".*\")$", line):
            name, index, text = match.groups()
            field = ("msgstr", int(index or 0)) if name == "msgstr" else (name, None)
            _append(entry, field, "")
            _append(entry, field, ast.literal_eval(text))
        elif line.startswith('"') and field is not None:
            _append(entry, field, ast.literal_eval(line))
    return entries


def _append(entry: dict, field: tuple, text: str) -> None:
    name, index = field
    if name == "msgstr":
        entry["msgstr"][index] = entry["msgstr"].get(index, "") + text
    else:
        entry[name] = entry.get(name, "") + text


def test_po_has_a_translation_for_every_string_and_nothing_fuzzy():
    po = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "fuzzy" not in po
    assert '"Language: en\\n"' in po and "Plural-Forms: nplurals=2; plural=(n != 1);" in po
    entries = _po_entries()
    assert len(entries) > 250
    empty = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"].values())]
    assert empty == []
    plurals = [e for e in entries if "msgid_plural" in e]
    assert plurals and all(set(e["msgstr"]) == {0, 1} for e in plurals)
    # An English translation has no Chinese left in it, except quoted form labels and typing examples.
    allowed = re.compile(r"“[^”]*”|<code>[^<]*</code>|、|广东省商务厅|＿")
    assert [e["msgid"] for e in entries if any(HAN.search(allowed.sub("", s)) for s in e["msgstr"].values())] == []


def test_compiled_mo_says_what_the_po_says():
    with (CATALOGUE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for e in _po_entries():
        context, msgid = e.get("msgctxt"), e["msgid"]
        if "msgid_plural" in e:
            for n, index in ((1, 0), (2, 1)):
                shown = (
                    compiled.npgettext(context, msgid, e["msgid_plural"], n)
                    if context
                    else compiled.ngettext(msgid, e["msgid_plural"], n)
                )
                assert shown == e["msgstr"][index], msgid
        else:
            shown = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
            assert shown == e["msgstr"][0], msgid


def _marked_in_templates() -> set[str]:
    marked = set()
    for path in (SOURCE / "templates").rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        marked.update(re.findall(r'\{% translate "([^"]+)"', source))
        marked.update(re.findall(r'_\("([^"]+)"\)', source))
        for body in re.findall(r"\{% blocktranslate[^%]*%\}(.*?)\{% (?:plural|endblocktranslate) %\}", source, re.S):
            body = " ".join(line.strip() for line in body.strip().splitlines())
            marked.add(re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", body))
    return marked


def _marked_in_python() -> set[str]:
    names = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
    marked = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names:
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    marked.add(first.value)
    return marked


def test_every_marked_string_is_in_the_catalogue():
    """A string marked for translation but missing here means `makemessages` was not run after the change."""
    known = {e["msgid"] for e in _po_entries()}
    assert sorted((_marked_in_templates() | _marked_in_python()) - known) == []
