"""The case book of a campaign (案例汇编): its published cases compiled into one Word document, as the notice asks of
the bodies (贸促会: 总结企业诚信经营案例，提炼经验汇编成册).

A cover, a table of contents (each line a link to its heading, with its page: a PAGEREF field), then the cases
grouped as a printed collection is: by kind (一、典型案例, 二、诚信之星 …, each on a new page), by unit within a
kind (（一）北京市), each case under its title (1.) with its unit, field and date, its summary, its text and its
photos with their captions. The same 公文 styles as the national summary (officedoc.py).
"""

import datetime as dt
from itertools import groupby

from django.utils import dateformat
from django.utils.translation import gettext as _
from docx.image.exceptions import UnrecognizedImageError
from docx.image.image import Image

from chengxin.campaigns.models import Campaign
from chengxin.portal.models import CaseKind
from chengxin.publications.officedoc import OfficialDocument

NUMERALS = "一二三四五六七八九十"
PHOTO_MAX_WIDTH_CM = 14.0
PHOTO_MAX_HEIGHT_CM = 9.5  # two photos and their captions fit on a page


def _numeral(n: int) -> str:
    """一 … 十, 十一 … 九十九: enough for the kinds and the units of one kind."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def case_bookmark(case) -> str:
    return f"_Case{case.pk}"


def _groups(cases):
    """[(kind, [(unit, [case …]) …]) …] in the order of `cases` (selectors.casebook_cases)."""
    return [
        (kind, [(unit, list(of_unit)) for unit, of_unit in groupby(of_kind, key=lambda c: c.source_body)])
        for kind, of_kind in groupby(cases, key=lambda c: c.kind)
    ]


class CaseBookWriter:
    """Writes the case book of `campaign` with the published cases of `kinds` ([]: every kind)."""

    def __init__(self, campaign: Campaign, kinds, *, as_of: dt.datetime) -> None:
        self.campaign = campaign
        self.kinds = list(kinds)
        self.as_of = as_of
        self.title = _("%(title)s案例汇编") % {"title": campaign.title}
        self.doc = OfficialDocument(title=self.title, author=_("诚信兴商宣传月活动管理平台"))

    def _kinds_label(self) -> str:
        kinds = self.kinds or list(CaseKind.values)
        return _("、").join(str(CaseKind(k).label) for k in kinds)

    def cover_and_contents(self, cases) -> None:
        doc = self.doc
        doc.document.sections[0].different_first_page_header_footer = True  # no page number on the cover
        doc.title(self.title, before_pt=160)
        doc.note(_("收录%(kinds)s共%(count)s篇") % {"kinds": self._kinds_label(), "count": len(cases)}, centred=True)
        doc.note(
            _("诚信兴商宣传月活动管理平台汇编　%(date)s") % {"date": dateformat.format(self.as_of, _("Y年n月j日"))},
            centred=True,
        )
        doc.page_break()
        doc.title(_("目　录"))
        doc.note(_("（页码在 PDF 中已是实际页码；在 Word 或 WPS 中全选后按 F9 更新。）"), centred=True)
        for k, (kind, units) in enumerate(_groups(cases), 1):
            n = sum(len(of_unit) for _unit, of_unit in units)
            label = _("%(n)s、%(kind)s（%(count)s篇）") % {"n": _numeral(k), "kind": CaseKind(kind).label, "count": n}
            doc.contents_line(label, 1, f"_Kind{kind}")
            for u, (unit, of_unit) in enumerate(units, 1):
                doc.contents_line(f"（{_numeral(u)}）{unit.name}", 2, f"_Unit{kind}{unit.pk}")
                for c, case in enumerate(of_unit, 1):
                    doc.contents_line(f"{c}. {case.title}", 3, case_bookmark(case))

    def cases(self, cases) -> None:
        doc = self.doc
        for k, (kind, units) in enumerate(_groups(cases), 1):
            doc.heading(f"{_numeral(k)}、{CaseKind(kind).label}", 1, bookmark=f"_Kind{kind}", new_page=True)
            for u, (unit, of_unit) in enumerate(units, 1):
                doc.heading(f"（{_numeral(u)}）{unit.name}", 2, bookmark=f"_Unit{kind}{unit.pk}")
                for c, case in enumerate(of_unit, 1):
                    self._case(c, case)

    def _case(self, number: int, case) -> None:
        doc = self.doc
        doc.heading(f"{number}. {case.title}", 3, bookmark=case_bookmark(case))
        doc.note(
            _("报送单位：%(unit)s　领域：%(domain)s　日期：%(date)s")
            % {
                "unit": case.source_body.name,
                "domain": case.get_domain_display(),
                "date": dateformat.format(case.case_date, _("Y年n月j日")),
            }
        )
        doc.lead(_("【摘要】"), case.summary)
        for line in case.body.splitlines():
            if line.strip():
                doc.paragraph(line.strip())
        for photo in sorted(case.photos.all(), key=lambda p: (p.position, p.pk)):
            self._photo(case, photo)

    def _photo(self, case, photo) -> None:
        caption = photo.caption or case.title
        try:
            with photo.file.open("rb") as f:
                data = f.read()
            image = Image.from_blob(data)
        except (OSError, ValueError, UnrecognizedImageError):  # a file gone from the storage, or unreadable
            self.doc.note(_("（照片“%(caption)s”的文件无法读取，未收入。）") % {"caption": caption})
            return
        width, height = image.px_width / image.horz_dpi, image.px_height / image.vert_dpi  # inches
        if height * PHOTO_MAX_WIDTH_CM > width * PHOTO_MAX_HEIGHT_CM:  # taller than the frame allows
            self.doc.picture(data, caption, height_cm=PHOTO_MAX_HEIGHT_CM)
        else:
            self.doc.picture(data, caption, width_cm=PHOTO_MAX_WIDTH_CM)

    def save(self) -> bytes:
        return self.doc.save()
