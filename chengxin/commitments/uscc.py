"""The unified social credit code (统一社会信用代码, GB 32100-2015): normalising and checking.

A code has 18 characters over the alphabet 0-9 and A-Z without I, O, Z, S, V (31 characters):

    position 1       registration authority (登记管理部门代码): 1 机构编制, 5 民政, 9 工商/市场监管, Y 其他 in the
                     standard's own table; 2-4, 6-8, A and N were assigned to further authorities later
                     (外交, 司法行政, 文化, 旅游, 宗教, 工会, 中央军委改革和编制办公室, 农业), and such codes are
                     in use, so they are accepted too
    position 2       type of organisation (机构类别代码), any character of the alphabet
    positions 3-8    the registering authority's GB/T 2260 administrative division code (digits; 100000 for
                     national registrations)
    positions 9-17   the GB 11714 organisation code: 8 characters and its own check character (0-9 or X)
    position 18      the check character over positions 1-17

Both check characters are computed here; `check_uscc` returns the first thing wrong, in Chinese, naming the
position, so that a person can find a typing error on the licence.
"""

import unicodedata

from django.utils.translation import gettext as _

from chengxin.core.regions import PROVINCE_PREFIXES

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {ch: i for i, ch in enumerate(ALPHABET)}
# 3^i mod 31, i = 0..16.
WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
AUTHORITIES = set("123456789ANY")
# The region digits start with a province-level prefix, or 10 for national registrations.
REGION_PREFIXES = PROVINCE_PREFIXES | {"10"}
LENGTH = 18


def normalise(raw: str) -> str:
    """The code as typed, without spaces or hyphens, full-width characters made half-width, upper-case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (which must be in the alphabet)."""
    total = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(first8: str) -> str:
    """The GB 11714 check character of an organisation code's first 8 characters (letters count A=10 … Z=35)."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def check_uscc(raw: str) -> tuple[str, str | None]:
    """(the normalised code, None) when it is a valid code; (the normalised code, why not) otherwise."""
    code = normalise(raw)
    if not code:
        return code, _("请填写统一社会信用代码")
    if len(code) != LENGTH:
        return code, _("长度应为18位，现为%(n)d位") % {"n": len(code)}
    for position, ch in enumerate(code, start=1):
        if ch not in VALUES:
            if ch in "IOZSV":
                return code, _("含有不允许的字母 %(ch)s（第%(pos)d位）") % {"ch": ch, "pos": position}
            return code, _("第%(pos)d位含有不允许的字符“%(ch)s”") % {"ch": ch, "pos": position}
    if code[0] not in AUTHORITIES:
        return code, _("第1位登记管理部门代码“%(ch)s”不存在") % {"ch": code[0]}
    region = code[2:8]
    if not (region.isascii() and region.isdigit()):
        return code, _("第3-8位行政区划代码应为6位数字")
    if region[:2] not in REGION_PREFIXES:
        return code, _("第3-8位行政区划代码“%(region)s”不存在") % {"region": region}
    org_expected = org_check_character(code[8:16])
    if code[16] != org_expected:
        return code, _("第17位（组织机构代码校验码）应为 %(ch)s") % {"ch": org_expected}
    expected = check_character(code[:17])
    if code[17] != expected:
        return code, _("第18位校验码应为 %(ch)s") % {"ch": expected}
    return code, None


def is_valid_uscc(raw: str) -> bool:
    return check_uscc(raw)[1] is None
