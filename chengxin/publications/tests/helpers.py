"""A campaign in the middle of its review, as the summary tests draft it, and reading a drafted .docx back."""

import datetime as dt
import io
import json
import re

import docx
from django.core.management import call_command
from docx.table import Table
from docx.text.paragraph import Paragraph

from chengxin.activities.tests.factories import published
from chengxin.campaigns.services import participant_grant_exception
from chengxin.conftest import VALID_FIGURES, figures_times, submitted_report
from chengxin.portal.services import case_publish, case_save
from chengxin.reporting import services as reporting
from chengxin.textsearch.tests.documents import docx_bytes
from chengxin.units.models import Role, Unit
from chengxin.units.tests.factories import UserFactory

GUANGDONG_SUMMARY = (
    "广东省2020年诚信兴商宣传月活动总结",
    "今年我省开展“诚信兴商”进社区活动，共举办放心消费讲座三十场，发放宣传资料五千份。",
    "活动期间全省商务部门联合市场监管部门开展诚信经营示范街评选。",
)
BEIJING_SUMMARY = (
    "北京市2020年诚信兴商宣传月活动总结",
    "我市围绕“诚实经营、守信服务”主题，组织老字号企业签署诚信经营承诺书120家。",
)


def build_campaign(campaign, *, alice, bob, carol, dave, erin, capture) -> dict:
    """2020 as the ministry sees it a while after the deadline, made through the services: 广东省 submitted late
    and was accepted; 北京市 had its deadline extended and submitted on time (not yet reviewed); 上海市 has a draft;
    海关总署 (a co-organiser) sent its summary only; everybody else is missing. The provinces' summaries are real
    Word files whose text the search read (the task runs on commit); 北京市 registered a published activity under
    plan activity 8; 广东省's case is published."""
    participant_grant_exception(
        campaign=campaign,
        unit=bob.unit,
        deadline=dt.date(2099, 12, 31),
        lock_date=None,
        reason="系统维护顺延",
        acting_user=dave,
    )
    with capture(execute=True):
        guangdong = submitted_report(campaign, alice.unit, alice, VALID_FIGURES, docx_bytes(*GUANGDONG_SUMMARY))
        submitted_report(campaign, bob.unit, bob, figures_times(2), docx_bytes(*BEIJING_SUMMARY))
    reporting.report_accept(report=guangdong, acting_user=carol)

    shanghai = UserFactory(username="shanghai", unit=Unit.objects.get(code="310000"), role=Role.UNIT_REPORTER)
    report = reporting.report_get_or_start(campaign=campaign, unit=shanghai.unit)
    reporting.report_save_draft(report=report, raw_values=figures_times(3), version=None, acting_user=shanghai)

    customs = reporting.report_get_or_start(campaign=campaign, unit=erin.unit)  # a co-organiser: its summary only
    with capture(execute=True):
        reporting.report_upload_summary(
            report=customs,
            uploaded_file=_upload("海关总署总结.docx", docx_bytes("海关总署开展诚信宣传。")),
            acting_user=erin,
        )
    customs.refresh_from_db()
    reporting.report_submit(report=customs, version=customs.version, acting_user=erin)

    published(campaign, bob, "110000", region_code="110000", plan_activity="8", title="北京市依法诚信纳税宣传周")
    case = case_save(
        acting_user=alice,
        kind="typical",
        domain="commerce",
        title="老字号明码标价三十年",
        summary="广州某老字号坚持明码标价，三十年无投诉。",
        body="正文。",
        case_date=dt.date(2020, 10, 15),
        campaign=campaign,
        submit=True,
    )
    case_publish(case=case, acting_user=dave)
    return {"guangdong": guangdong}


def _upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def command_json(name: str, **options):
    """What `chengxin <name> --json` prints, parsed."""
    out = io.StringIO()
    call_command(name, json=True, stdout=out, **options)
    return json.loads(out.getvalue())


# --- reading the document back ------------------------------------------------------------------------------------


def blocks(data: bytes) -> list:
    """The document's paragraphs and tables, in reading order."""
    return list(docx.Document(io.BytesIO(data)).iter_inner_content())


def section(all_blocks: list, heading: str) -> list:
    """The blocks under the first-level heading that starts with `heading`, up to the next one."""
    found, inside = [], False
    for block in all_blocks:
        is_heading = isinstance(block, Paragraph) and block.style.name == "Heading 1"
        if is_heading:
            inside = block.text.startswith(heading)
            continue
        if inside:
            found.append(block)
    assert found, f"no section {heading}"
    return found


def paragraphs(blocks_: list) -> list[str]:
    return [b.text for b in blocks_ if isinstance(b, Paragraph) and b.text.strip() and b.style.name != "Caption"]


def tables(blocks_: list) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in b.rows] for b in blocks_ if isinstance(b, Table)]


DATE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?%?")


def numbers(text: str) -> list[str]:
    """Every number written in `text` (12,345; 54.5%), dates left out."""
    return NUMBER.findall(DATE.sub("", text))


def whole(text: str) -> int:
    return int(text.replace(",", ""))
