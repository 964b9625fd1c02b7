"""Dates and years read by Django forms (core/forms.py), refused with messages that name the field."""

import datetime as dt

import pytest
from django import forms

from chengxin.core.errors import DomainError
from chengxin.core.forms import DateField, YearField, cleaned


class Dates(forms.Form):
    deadline = DateField(label="报送截止日期")
    lock_date = DateField(label="锁定日期", required=False)
    year = YearField(label="年度", required=False)


def test_iso_dates_are_read_and_an_empty_optional_one_is_none():
    data = cleaned(Dates({"deadline": " 2020-11-25 ", "lock_date": "", "year": "2021"}))
    assert data == {"deadline": dt.date(2020, 11, 25), "lock_date": None, "year": 2021}


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({}, "deadline", "请填写报送截止日期"),
        ({"deadline": "2020/11/25"}, "deadline", "报送截止日期格式不对，应为 年-月-日，如 2020-11-25"),
        ({"deadline": "２０２０-１１-２５"}, "deadline", "报送截止日期格式不对，应为 年-月-日，如 2020-11-25"),
        ({"deadline": "2020-02-30"}, "deadline", "报送截止日期格式不对，应为 年-月-日，如 2020-11-25"),
        (
            {"deadline": "2020-11-25", "lock_date": "明年"},
            "lock_date",
            "锁定日期格式不对，应为 年-月-日，如 2020-11-25",
        ),
        ({"deadline": "2020-11-25", "year": "２０２１"}, "year", "年度应为四位数字，如 2021"),
        ({"deadline": "2020-11-25", "year": "21"}, "year", "年度应为四位数字，如 2021"),
    ],
)
def test_a_wrong_value_names_its_field(post, field, message):
    with pytest.raises(DomainError) as caught:
        cleaned(Dates(post))
    assert [(e.field, e.message) for e in caught.value.errors] == [(field, message)]
    assert caught.value.message == message
