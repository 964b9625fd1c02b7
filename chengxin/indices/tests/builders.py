"""Files and releases for the indices' tests, made through the services as a unit's editor and the ministry would."""

import csv
import io

from openpyxl import Workbook

from chengxin.indices import services
from chengxin.indices.models import IndexRelease, IntegrityIndex

METHOD = "以本市重点商圈消费投诉、价格监测和商户信用记录为基础，按加权平均法编制。"
MONTHS = [("2020-08", "100.6"), ("2020-09", "101.2"), ("2020-10", "101.8")]


def csv_bytes(rows, *, encoding: str = "utf-8", header=("期间", "地区", "数值"), bom: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(rows, *, header=("期间", "地区", "数值")) -> bytes:
    book = Workbook()
    sheet = book.active
    if header:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def monthly_rows(months=MONTHS, regions=("000000", "310000")):
    """Rows for every month and region; a region's value is the national one plus 2."""
    return [
        (month, region, value if region == "000000" else str(float(value) + 2))
        for month, value in months
        for region in regions
    ]


def make_index(editor, *, code: str = "sh-shopping", name: str = "上海购物诚信指数", **changes) -> IntegrityIndex:
    fields = {
        "code": code,
        "name": name,
        "frequency": "month",
        "unit_of_measure": "点",
        "base_period": "2015年",
        "base_value": "100",
        "method": METHOD,
        "description": "",
    }
    fields.update(changes)
    return services.index_save(acting_user=editor, **fields)


def make_release(index, editor, content: bytes, *, name: str = "data.csv", submit: bool = True, **kwargs):
    upload = services.upload_stage(index=index, name=name, content=content, acting_user=editor)
    return services.release_create(upload=upload, acting_user=editor, submit=submit, **kwargs)


def published(index, editor, moderator, rows, **kwargs) -> IndexRelease:
    release = make_release(index, editor, csv_bytes(rows), **kwargs)
    return services.release_publish(release=release, acting_user=moderator)
