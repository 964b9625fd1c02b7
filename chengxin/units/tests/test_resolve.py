"""A unit named by a person is recognised by code, name or short name (with a department suffix), never guessed."""

import pytest

from chengxin.units.selectors import unit_resolve

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("440000", "440000"),
        ("填报单位：440000", "440000"),
        ("广东省", "440000"),
        ("广东", "440000"),
        ("广东省商务厅", "440000"),
        (" 广东省 商务厅 ", "440000"),
        ("上海市商务委员会", "310000"),
        ("大连市商务局", "210200"),
        ("大连", "210200"),
        ("新疆生产建设兵团", "660000"),
        ("新疆生产建设兵团商务局", "660000"),
        ("新疆维吾尔自治区商务厅", "650000"),
        ("新疆", "650000"),
        ("海关总署", "GACC"),
        ("GACC", "GACC"),
        ("商务部", "MOFCOM"),
        ("中华人民共和国商务部", "MOFCOM"),
        ("４４００００", "440000"),  # full-width digits
    ],
)
def test_recognised(campaign, text, code):
    unit = unit_resolve(text)
    assert unit is not None and unit.code == code


@pytest.mark.parametrize(
    "text",
    ["", "广州市", "广东省深圳市", "东省", "440001", "110000 440000", "商务厅", "XYZ", "广东省商务厅办公室", "山"],
)
def test_unknown_is_none_never_a_guess(campaign, text):
    assert unit_resolve(text) is None
