"""The unified social credit code checker against real published codes and every single-character mutation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chengxin.commitments.uscc import ALPHABET, check_character, check_uscc, is_valid_uscc, normalise

# Real codes, as published, found with the library search over public repositories and pages:
REAL_CODES = [
    # dromara/hutool, hutool-core/src/test/java/cn/hutool/core/util/CreditCodeUtilTest.java (both asserted valid)
    "91310115591693856A",
    "91310110666007217T",
    # maomaolulu/sys-java, .../wanda/constant/OrganizeInfoConstants.java: 宁波安联检测, 嘉兴安联检测技术服务
    "91330201MA282UF146",
    "91330401MA28ADM67R",
    # 华为技术有限公司, in a public repo's UnifiedSocialCreditCodeUtilTest.java and a validateUscc test (校验位应为 6)
    "914403001922038216",
    # 阿里巴巴（中国）有限公司, a public repo's enterprise-verification test (VALID_CREDIT_CODE) and a checkUscc test
    "91330100799655058B",
    "91440300708461136T",
    "91110000802100433B",
    # 浙江大学 (a public institution, authority 1 机构编制), in a public repo's copy of the university's tender notice
    "12100000470095016Q",
    # 复旦大学, in a public repo's railway-ticket parsing test (购买方统一社会信用代码)
    "12100000425006117P",
    # 腾讯科技（深圳）有限公司, in a public repo's enterprise list
    "9144030071526726XG",
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_published_codes_pass(code):
    assert check_uscc(code) == (code, None)


@given(
    index=st.integers(min_value=0, max_value=len(REAL_CODES) - 1),
    position=st.integers(min_value=0, max_value=17),
    replacement=st.sampled_from(ALPHABET + "IOZSV"),
)
def test_every_single_character_substitution_of_a_real_code_is_refused(index, position, replacement):
    code = REAL_CODES[index]
    if code[position] == replacement:
        return
    mutated = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_uscc(mutated)


@given(index=st.integers(min_value=0, max_value=len(REAL_CODES) - 1), position=st.integers(0, 16))
def test_swapping_two_neighbouring_characters_is_refused(index, position):
    code = REAL_CODES[index]
    if code[position] == code[position + 1]:
        return
    swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
    assert not is_valid_uscc(swapped)


def test_code_is_normalised_before_checking():
    assert normalise(" 9144 0300-1922 038216 ") == "914403001922038216"
    assert check_uscc("９１３１０１１５５９１６９３８５６ａ") == ("91310115591693856A", None)  # full-width, lower-case
    assert check_uscc("91330201ma282uf146")[1] is None


def test_wrong_check_character_names_the_right_one():
    assert check_uscc("914403001922038217")[1] == "第18位校验码应为 6"


def test_forbidden_letter_is_named():
    assert "含有不允许的字母 I" in check_uscc("91330201MI282UF146")[1]
    assert "含有不允许的字母 O" in check_uscc("O14403001922038216")[1]


def test_wrong_length_is_named():
    assert check_uscc("91440300192203821")[1] == "长度应为18位，现为17位"
    assert check_uscc("")[1] == "请填写统一社会信用代码"


def test_region_must_be_digits_of_a_real_province():
    problem = check_uscc("9144A3001922038216")[1]
    assert "行政区划代码" in problem
    code = "919900001922038216"
    assert "行政区划代码" in check_uscc(code[:17] + check_character(code[:17]))[1]


def test_embedded_organisation_code_check_digit_is_verified():
    # The organisation code 19220382-1 has check digit 1; with 2, even a correct 18th character does not save it.
    first17 = "91440300192203822"
    assert check_uscc(first17 + check_character(first17))[1] == "第17位（组织机构代码校验码）应为 1"


def test_unknown_registration_authority_is_named():
    first17 = "B1440300192203821"
    assert "登记管理部门代码" in check_uscc(first17 + check_character(first17))[1]
