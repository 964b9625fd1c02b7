"""The upload templates: the three columns the parser reads, with example rows, as .xlsx and as CSV."""

import csv
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from chengxin.indices.parse import COLUMN_LABELS

EXAMPLE_ROWS = (
    ("2020-09", "000000", "101.2"),
    ("2020-09", "310000", "103.5"),
    ("2020-10", "000000", "101.8"),
    ("2020-10", "上海市", "104.1"),
)


def _notes() -> list[str]:
    return [
        _("每行一个数值：期间、地区、数值。第一行为表头，请勿改动；示例行请替换为实际数据。"),
        _("期间：月度写作 2020-10，季度写作 2020Q4，年度写作 2020；须与指数的发布频率一致。"),
        _("地区：行政区划代码（如 310000）或名称（如 上海市）；全国为 000000 或“全国”。"),
        _("数值：数字，最多 4 位小数，不带单位和百分号。同一期间、同一地区只能有一行。"),
        _("也可以另存为 CSV（UTF-8 或 GBK 编码）上传。"),
    ]


def template_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("数据")
    sheet.append(list(COLUMN_LABELS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for period, region, value in EXAMPLE_ROWS:
        sheet.append([period, region, value])
    for row in sheet.iter_rows(min_row=2):  # text cells: Excel must not turn 2020-10 into a date
        for cell in row:
            cell.number_format = "@"
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 12
    notes = book.create_sheet(_("填写说明"))
    for line in _notes():
        notes.append([line])
    notes.column_dimensions["A"].width = 90
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMN_LABELS)
    writer.writerows(EXAMPLE_ROWS)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
