"""The national summary of a campaign (全国活动总结) as the ministry writes it, drafted from the data.

`SummaryWriter` turns what publications.selectors read into the sections of a ministry summary: the title and an
opening paragraph, 一、报送情况, 二、全国汇总数据, 三、宣传覆盖与传播效果 (rankings and the media, each a table and a
chart), 四、主要活动开展情况, 五、各地经验和亮点 (excerpts of the units' summaries, published cases), 六、存在的问题和
下一步工作 (left to the person who edits the draft), and the consolidated table as an appendix on landscape pages.

Numbers are written as the pages show them (12,345) and never computed here beyond a share or a percentage of
two numbers the selectors gave, so that the document says what `chengxin totals` and `chengxin completeness` say.
"""

import datetime as dt

from django.utils import dateformat
from django.utils.translation import gettext as _

from chengxin.analytics.selectors import SCOPE_LABELS
from chengxin.campaigns.models import Campaign
from chengxin.core.numbers import format_number
from chengxin.publications import charts
from chengxin.publications.officedoc import OfficialDocument
from chengxin.publications.selectors import (
    Appendix,
    Highlights,
    NationalTotals,
    Participation,
    Ranking,
    Reach,
    TotalRow,
)

NUMERALS = "一二三四五六七八九十"
IN_PROSE = 5  # units named in a ranking's sentence (the table has the rest)
APPENDIX_FIGURES = 12  # figure columns of one appendix table; a form with more gets several tables


def _date(day: dt.date) -> str:
    return dateformat.format(day, _("Y年n月j日"))


def _percent(value: float) -> str:
    return f"{value:.1%}"


def _signed(change: float | None) -> str:
    """A change for a table cell: +25.0%, −3.1%, 0.0%; "—" when it cannot be said."""
    if change is None:
        return "—"
    return f"+{change:.1%}" if change > 0 else f"−{-change:.1%}" if change < 0 else f"{0:.1%}"


def _value(value: int | None) -> str:
    return "—" if value is None else format_number(value)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


class SummaryWriter:
    """Writes the summary of `campaign` over the reports in `scope` (accepted, or submitted and accepted)."""

    def __init__(self, campaign: Campaign, scope: str, *, as_of: dt.datetime) -> None:
        self.campaign = campaign
        self.scope = scope
        self.scope_label = str(SCOPE_LABELS[scope])
        self.as_of = as_of
        self.title = _("%(title)s总结") % {"title": campaign.title}
        self.doc = OfficialDocument(title=self.title, author=_("诚信兴商宣传月活动管理平台"))
        self.sections = 0
        self.subsections = 0
        self.chart_note_given = False

    # --- the parts every section uses ---

    def _section(self, text: str) -> None:
        self.sections += 1
        self.subsections = 0
        self.doc.heading(f"{NUMERALS[self.sections - 1]}、{text}")

    def _subsection(self, text: str) -> None:
        self.subsections += 1
        self.doc.heading(f"（{NUMERALS[self.subsections - 1]}）{text}", level=2)

    def _chart(self, png: bytes | None, caption: str) -> None:
        """The chart under its table; without a Chinese font, once per document, a note saying the charts are
        left out (every chart's numbers are in the table above it)."""
        if png is not None:
            self.doc.picture(png, caption)
        elif charts.cjk_font() is None and not self.chart_note_given:
            self.chart_note_given = True
            self.doc.note(_("说明：生成本文档的服务器未安装中文字体（如 fonts-noto-cjk），图表从略，数据见各表。"))

    # --- the sections, in reading order ---

    def opening(self) -> None:
        c = self.campaign
        self.doc.title(self.title)
        self.doc.note(
            _("（系统起草稿，供修改。统计范围：%(scope)s；数据截至%(at)s。）")
            % {"scope": self.scope_label, "at": dateformat.format(self.as_of, _("Y年n月j日 H:i"))},
            centred=True,
        )
        notice = _("《%(notice)s》") % {"notice": c.notice_title} if c.notice_title else _("活动通知")
        self.doc.paragraph(
            _(
                "按照%(notice)s要求，%(period)s，各地区、各有关部门围绕“%(theme)s”主题，组织开展%(title)s。"
                "现将活动情况总结如下。"
            )
            % {"notice": notice, "period": self._period(), "theme": c.theme, "title": c.title}
        )

    def _period(self) -> str:
        start, end = self.campaign.period_start, self.campaign.period_end
        if (start.year, start.month) == (end.year, end.month) and start.day == 1 and (end + dt.timedelta(1)).day == 1:
            return dateformat.format(start, _("Y年n月"))
        return _("%(start)s至%(end)s") % {"start": _date(start), "end": _date(end)}

    def participation(self, data: Participation) -> None:
        self._section(_("活动报送情况"))
        o = data.overall
        self.doc.paragraph(
            _(
                "本次活动应报送单位%(expected)s个，已报送%(submitted)s个，报送率%(rate)s。其中，按时报送%(on_time)s个，"
                "逾期报送%(late)s个；尚未报送%(missing)s个。已报送的单位中，已审核%(accepted)s个。报送截止日期为%(deadline)s。"
            )
            % {
                "expected": o.expected,
                "submitted": o.submitted,
                "rate": _percent(o.rate),
                "on_time": o.on_time,
                "late": o.late,
                "missing": o.missing,
                "accepted": o.accepted,
                "deadline": _date(data.deadline),
            }
        )
        self.doc.table(
            _("各类单位报送情况"),
            [_("单位类别"), _("应报送"), _("已报送"), _("按时报送"), _("逾期报送"), _("未报送")],
            [
                [k.label, *(str(n) for n in (k.expected, k.submitted, k.on_time, k.late, k.missing))]
                for k in data.by_kind
            ],
            widths=[5.2, 2, 2, 2, 2, 2],
            numeric=[False, True, True, True, True, True],
            total=[_("合计"), *(str(n) for n in (o.expected, o.submitted, o.on_time, o.late, o.missing))],
        )
        if data.missing:
            names = _("、").join(
                _("%(name)s（%(status)s）") % {"name": u.name, "status": u.status_label} for u in data.missing
            )
            self.doc.paragraph(_("尚未报送的单位：%(names)s。") % {"names": names})
        else:
            self.doc.paragraph(_("所有应报送单位均已报送。"))

    def totals(self, data: NationalTotals) -> None:
        self._section(_("全国汇总数据"))
        self.doc.paragraph(
            _("纳入全国汇总的统计表共%(tables)s份（%(scope)s），各项数字为各单位填报数（含其已审核的下级单位）之和。")
            % {"tables": data.tables, "scope": self.scope_label}
        )
        if data.headline:
            self.doc.paragraph(
                _("全国%(figures)s。") % {"figures": _("；").join(self._headline(r, data) for r in data.headline)}
            )
        year = str(self.campaign.year)
        if data.previous_year is not None:
            header = [_("项目"), _("计量单位"), _("%(year)s年") % {"year": year}]
            header += [_("%(year)s年") % {"year": data.previous_year}, _("增减")]
            rows = [
                [r.label, r.unit_of_measure, _value(r.value), _value(r.previous), r.note or _signed(r.change)]
                for r in data.rows
            ]
            widths, numeric = [6.4, 1.8, 2.6, 2.6, 2.2], [False, False, True, True, True]
            caption = _("全国汇总数据及与上年比较")
        else:
            header = [_("项目"), _("计量单位"), _("全国合计")]
            rows = [[r.label, r.unit_of_measure, _value(r.value)] for r in data.rows]
            widths, numeric, caption = [8.6, 2.4, 4.2], [False, False, True], _("全国汇总数据")
        self.doc.table(caption, header, rows, widths=widths, numeric=numeric)
        for m in data.methods:
            named = _("，").join(
                _("%(item)s %(units)s 个") % {"item": item, "units": n} for item, n in m.counts.items()
            )
            self.doc.paragraph(
                _("%(figure)s（填报该项的单位数）：%(named)s。") % {"figure": m.label, "named": named or _("无")}
            )

    def _headline(self, row: TotalRow, data: NationalTotals) -> str:
        text = _("%(name)s%(value)s%(unit)s") % {
            "name": row.name,
            "value": _value(row.value),
            "unit": row.unit_of_measure,
        }
        if row.change is not None and data.previous_year is not None:
            words = _("比%(year)s年增长%(change)s") if row.change >= 0 else _("比%(year)s年下降%(change)s")
            text += _("，") + words % {"year": data.previous_year, "change": _percent(abs(row.change))}
        return text

    def reach(self, data: Reach) -> None:
        self._section(_("宣传覆盖与传播效果"))
        for ranking in data.rankings:
            self._ranking(ranking)
        if data.media:
            self._media(data)

    def _ranking(self, ranking: Ranking) -> None:
        f = ranking.figure
        self._subsection(f.short_name)
        if not ranking.by_value:
            self.doc.paragraph(_("统计范围内暂无该项数据。"))
            return
        named = _("、").join(
            _("%(unit)s（%(value)s%(measure)s）") % {"unit": r.unit_name, "value": _value(r.value), "measure": f.unit}
            for r in ranking.by_value[:IN_PROSE]
        )
        self.doc.paragraph(_("%(figure)s居前的单位依次为：%(named)s。") % {"figure": f.short_name, "named": named})
        with_rate = any(r.per_10k is not None for r in ranking.by_value)
        header = [_("名次"), _("单位"), _("%(figure)s（%(unit)s）") % {"figure": f.short_name, "unit": f.unit}]
        if with_rate:
            header.append(_("每万常住人口（%(unit)s）") % {"unit": f.unit})
        rows = [
            [str(r.rank), r.unit_name, _value(r.value), *([_rate(r.per_10k)] if with_rate else [])]
            for r in ranking.by_value
        ]
        caption = _("%(figure)s前%(n)s名") % {"figure": f.short_name, "n": len(rows)}
        self.doc.table(
            caption,
            header,
            rows,
            widths=[1.6, 5.4, 4.2, 4.0][: len(header)],
            numeric=[True, False, True, True],
        )
        labels = [r.unit_name for r in ranking.by_value]
        self._chart(charts.bar_chart(labels, [r.value for r in ranking.by_value], unit=f.unit), caption)
        if ranking.by_rate:
            self._rate_ranking(ranking)

    def _rate_ranking(self, ranking: Ranking) -> None:
        f = ranking.figure
        rows = [[str(r.rank), r.unit_name, _rate(r.per_10k), _value(r.value)] for r in ranking.by_rate]
        caption = _("每万常住人口%(figure)s前%(n)s名") % {"figure": f.short_name, "n": len(rows)}
        self.doc.table(
            caption,
            [
                _("名次"),
                _("单位"),
                _("每万常住人口（%(unit)s）") % {"unit": f.unit},
                _("合计（%(unit)s）") % {"unit": f.unit},
            ],
            rows,
            widths=[1.6, 5.4, 4.2, 4.0],
            numeric=[True, False, True, True],
        )
        labels = [r.unit_name for r in ranking.by_rate]
        rates = [r.per_10k or 0.0 for r in ranking.by_rate]
        self._chart(charts.bar_chart(labels, rates, unit=f.unit, decimals=1), caption)

    def _media(self, data: Reach) -> None:
        title = _("与").join(g.label for g in data.media)
        self._subsection(title)
        self.doc.paragraph(
            _("按发稿量（各项篇数、条数、次数之和）计，%(groups)s。")
            % {
                "groups": _("，").join(
                    _("%(group)s%(items)s") % {"group": g.label, "items": format_number(g.items)} for g in data.media
                )
            }
        )
        rows = []
        for g in data.media:
            for i, line in enumerate(g.lines):  # the group named on its first line only
                rows.append([g.label if i == 0 else "", line.label, format_number(line.value), line.unit_of_measure])
            rows.append(["", _("小计（发稿量）"), format_number(g.items), ""])
        caption = _("%(groups)s发布情况") % {"groups": title}
        self.doc.table(
            caption,
            [_("类别"), _("项目"), _("数量"), _("计量单位")],
            rows,
            widths=[3.2, 6.4, 3.4, 2.2],
            numeric=[False, False, True, False],
        )
        groups = [(g.label, [(line.label, line.value) for line in g.lines if line.counts_items]) for g in data.media]
        self._chart(charts.grouped_bar_chart(groups), _("%(groups)s发稿量") % {"groups": title})

    def activities(self, data: Highlights) -> None:
        self._section(_("主要活动开展情况"))
        in_plan = sum(line.activities for line in data.plan if line.number is not None)
        self.doc.paragraph(
            _(
                "各地区、各有关部门在系统中登记并发布活动%(all)s项，其中围绕主要活动安排开展%(plan)s项，自办活动%(own)s项。"
            )
            % {"all": data.activities, "plan": in_plan, "own": data.activities - in_plan}
        )
        rows = [
            [
                str(line.number) if line.number is not None else "—",
                line.title or _("各地区、各部门自办活动"),
                line.lead_body or "—",
                str(line.activities),
                str(line.units),
            ]
            for line in data.plan
        ]
        self.doc.table(
            _("主要活动安排及登记活动情况"),
            [_("序号"), _("主要活动"), _("牵头单位"), _("登记活动（项）"), _("登记单位（个）")],
            rows,
            widths=[1.2, 6.6, 2.8, 2.3, 2.3],
            numeric=[False, False, False, True, True],
            total=["", _("合计"), "", str(data.activities), ""],
        )

    def highlights(self, data: Highlights) -> None:
        self._section(_("各地经验和亮点"))
        self._subsection(_("各地总结摘编"))
        if not data.excerpts:
            self.doc.paragraph(_("暂无可摘编的总结报告（尚未上传，或文本无法提取）。"))
        for e in data.excerpts:
            self.doc.lead(_("%(unit)s：") % {"unit": e.unit_name}, e.text)
        self._subsection(_("典型案例"))
        if not data.cases:
            self.doc.paragraph(_("本次活动暂无已发布的典型案例。"))
            return
        self.doc.paragraph(_("本次活动已发布典型案例%(n)s个，摘要如下。") % {"n": data.cases_total})
        for case in data.cases:
            head = _("【%(kind)s】%(title)s（%(unit)s）") % {
                "kind": case.kind_label,
                "title": case.title,
                "unit": case.unit_name,
            }
            self.doc.lead(head, _("：%(summary)s") % {"summary": case.summary})
        if data.cases_total > len(data.cases):
            self.doc.note(_("以上列出%(shown)s个，全部案例见案例库。") % {"shown": len(data.cases)})

    def next_steps(self) -> None:
        self._section(_("存在的问题和下一步工作"))
        self.doc.note(_("（此部分请起草人根据各地总结报告和审核意见补充。）"))

    def activities_and_highlights(self, data: Highlights) -> None:
        """四、五 from one reading, and 六 for the person who edits the draft."""
        self.activities(data)
        self.highlights(data)
        self.next_steps()

    def appendix(self, data: Appendix) -> None:
        """The consolidated table on landscape pages, in tables of at most APPENDIX_FIGURES figures each."""
        self.doc.landscape()
        self.doc.heading(_("附表"))
        chunks = [data.figures[i : i + APPENDIX_FIGURES] for i in range(0, len(data.figures), APPENDIX_FIGURES)]
        for n, figures in enumerate(chunks or [[]], 1):
            first = (n - 1) * APPENDIX_FIGURES
            columns = range(first, first + len(figures))
            caption = _("各单位统计数据汇总表（%(scope)s）") % {"scope": self.scope_label}
            if len(chunks) > 1:
                caption += _("（%(n)s/%(of)s）") % {"n": n, "of": len(chunks)}
            total = [_value(data.total[i]) for i in columns]
            self.doc.table(
                caption,
                [_("单位"), _("状态"), *(f"{f.short_name}（{f.unit}）" if f.unit else f.short_name for f in figures)],
                [[r.unit_name, r.status_label, *(_value(r.values[i]) for i in columns)] for r in data.rows],
                widths=[2.8, 1.3, *([1.6] * len(figures))],
                numeric=[False, False, *([True] * len(figures))],
                total=[_("全国合计"), "", *total],
                size=7 if max((len(t) for t in total), default=0) > 10 else 7.5,  # the totals are the longest
                padding_cm=0.1,
            )
        self.doc.note(_("注：各单位数字含其已审核的下级单位；“—”表示该单位的统计表不在统计范围内。"))

    def save(self) -> bytes:
        return self.doc.save()
