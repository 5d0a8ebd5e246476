"""Tests for zqt.core.identifiers: pure functions, no Django, no database."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zqt.core.identifiers import (
    ID_PROVINCE_CODES,
    USCC_AUTHORITY_CODES,
    USCC_CHARSET,
    IdentifierError,
    id_check_char,
    is_valid_id_number,
    is_valid_uscc,
    make_id_number,
    make_uscc,
    mask_id_number,
    mask_name,
    mask_phone,
    org_code_check_char,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

TODAY = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()

# Widely published codes; both check characters (GB 11714 and GB 32100) were verified by
# computing them, not taken on trust.
KNOWN_USCCS = ["91350100M000100Y43", "914403001922038216", "91330100799655058B"]
# Looks real, but both of its check characters are wrong.
LOOKALIKE_USCC = "91330000MA27U0RU4L"
# The worked examples in GB 11643-1999 itself (check characters recomputed here too).
STANDARD_ID_EXAMPLE = "11010519491231002X"  # 北京市朝阳区, 1949-12-31, female
STANDARD_ID_EXAMPLE_1880 = "440524188001010014"  # correct check, but born before 1900

ID_ALPHABET = "0123456789X"

uscc_regions = st.integers(0, 999_999).map(lambda n: f"{n:06d}")
usccs = st.builds(
    lambda region, serial, authority, category: make_uscc(
        region_code=region, serial=serial, authority=authority, category=category
    ),
    uscc_regions,
    st.integers(0, 10**12),
    st.sampled_from(sorted(USCC_AUTHORITY_CODES)),
    st.sampled_from("0123456789"),
)
id_regions = st.builds(
    lambda province, rest: f"{province}{rest:04d}",
    st.sampled_from(sorted(ID_PROVINCE_CODES)),
    st.integers(0, 9999),
)
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
id_numbers = st.builds(
    lambda region, born, seq: make_id_number(region_code=region, birth_date=born, sequence=seq),
    id_regions,
    birth_dates,
    st.integers(0, 999),
)


def _substitute(value: str, pos: int, ch: str) -> str:
    return value[:pos] + ch + value[pos + 1 :]


def _uscc_error(value: str) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        validate_uscc(value)
    return info.value


def _id_error(value: str, today: dt.date = TODAY) -> IdentifierError:
    with pytest.raises(IdentifierError) as info:
        validate_id_number(value, today=today)
    return info.value


def _with_id_check(first17: str) -> str:
    return first17 + id_check_char(first17)


# --- IdentifierError --------------------------------------------------------------------


def test_identifier_error_is_a_value_error_and_survives_pickling() -> None:
    err = IdentifierError("uscc.length", "统一社会信用代码应为18位，实为17位")
    assert isinstance(err, ValueError)
    assert str(err) == err.message
    copy = pickle.loads(pickle.dumps(err))  # noqa: S301 - round-tripping our own object
    assert (copy.code, copy.message) == (err.code, err.message)


# --- 统一社会信用代码: known values ---------------------------------------------------------


@pytest.mark.parametrize("code", KNOWN_USCCS)
def test_known_usccs_are_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert uscc_check_char(code[:17]) == code[17]
    assert org_code_check_char(code[8:16]) == code[16]


def test_lookalike_uscc_is_rejected_for_its_org_code_check() -> None:
    err = _uscc_error(LOOKALIKE_USCC)
    assert err.code == "uscc.org_code"
    assert "应为 8，实为 4" in err.message
    assert uscc_check_char(LOOKALIKE_USCC[:17]) != LOOKALIKE_USCC[17]


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("00000000", "0"),  # 11 - 0 = 11 -> "0"
        ("00000006", "X"),  # 6*2 = 12 ≡ 1 -> 11 - 1 = 10 -> "X"
        ("00000001", "9"),
        ("A0000000", "3"),  # A = 10: 10*3 = 30 ≡ 8 -> 3
        ("19220382", "1"),
    ],
)
def test_org_code_check_char(body: str, check: str) -> None:
    assert org_code_check_char(body) == check


def test_make_uscc_known_value_and_determinism() -> None:
    code = make_uscc(region_code="330000", serial=0)
    assert code == "91330000000000000" + uscc_check_char("91330000000000000")
    assert validate_uscc(code) == code
    assert make_uscc(region_code="330802", serial=123_456) == make_uscc(
        region_code="330802", serial=123_456
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region_code": "33000", "serial": 1},
        {"region_code": "33000A", "serial": 1},
        {"region_code": "３３００００", "serial": 1},
        {"region_code": "330000", "serial": -1},
        {"region_code": "330000", "serial": 1, "authority": "0"},
        {"region_code": "330000", "serial": 1, "category": "I"},
        {"region_code": "330000", "serial": 1, "category": "12"},
    ],
)
def test_make_uscc_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|unknown"):
        make_uscc(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "9135010", "9135010M000100Y4", "91350100M000100Y43", "913501O0M000100Y4"]
)
def test_uscc_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="need 17 characters"):
        uscc_check_char(bad)


# --- 统一社会信用代码: properties ---------------------------------------------------------


@given(usccs)
def test_every_made_uscc_is_valid(code: str) -> None:
    assert validate_uscc(code) == code
    assert validate_uscc(f"  {code.lower()}\t") == code


@given(uscc_regions, st.integers(0, 31**8 - 1), st.integers(0, 31**8 - 1))
def test_make_uscc_distinct_serials_give_distinct_codes(region: str, a: int, b: int) -> None:
    if a != b:
        assert make_uscc(region_code=region, serial=a) != make_uscc(region_code=region, serial=b)


@given(usccs, st.integers(0, 17), st.integers(1, 30))
def test_any_single_substitution_in_uscc_is_detected(code: str, pos: int, shift: int) -> None:
    # Every other character of the 31-character set, at every position.
    replacement = USCC_CHARSET[(USCC_CHARSET.index(code[pos]) + shift) % 31]
    mutated = _substitute(code, pos, replacement)
    assert not is_valid_uscc(mutated)
    # The GB 32100 check alone catches it: 31 is prime and no weight is 0 mod 31.
    assert uscc_check_char(mutated[:17]) != mutated[17]


@pytest.mark.parametrize("code", KNOWN_USCCS)
def test_every_single_substitution_of_known_usccs_is_detected(code: str) -> None:
    for pos in range(18):
        for ch in USCC_CHARSET:
            if ch != code[pos]:
                assert not is_valid_uscc(_substitute(code, pos, ch)), (pos, ch)


# --- 统一社会信用代码: error codes and messages --------------------------------------------


def test_uscc_wrong_length() -> None:
    err = _uscc_error(KNOWN_USCCS[0][:17])
    assert err.code == "uscc.length"
    assert err.message == "统一社会信用代码应为18位，实为17位"
    assert _uscc_error(KNOWN_USCCS[0] + "1").message == "统一社会信用代码应为18位，实为19位"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "i", "o", "z", "s", "v"])
def test_uscc_forbidden_letters(letter: str) -> None:
    err = _uscc_error(_substitute(KNOWN_USCCS[0], 10, letter))
    assert err.code == "uscc.charset"
    assert err.message == (
        f"统一社会信用代码含有不允许的字符“{letter.upper()}”（不得使用 I、O、Z、S、V）"
    )


@pytest.mark.parametrize(("ch", "shown"), [("-", "-"), ("中", "中"), (" ", "空格"), ("１", "１")])
def test_uscc_other_bad_characters(ch: str, shown: str) -> None:
    err = _uscc_error(_substitute(KNOWN_USCCS[0], 9, ch))
    assert err.code == "uscc.charset"
    assert f"含有不允许的字符“{shown}”" in err.message
    assert "只能使用数字和大写英文字母" in err.message


def test_uscc_non_ascii_letters_are_not_upper_cased_into_valid_ones() -> None:
    # "ı".upper() == "I" and "ﬀ".upper() == "FF"; neither may sneak in.
    assert _uscc_error(_substitute(KNOWN_USCCS[0], 10, "ı")).code == "uscc.charset"
    assert _uscc_error("91350100M000100Yﬀ").code == "uscc.length"


def test_uscc_lower_case_and_whitespace_are_normalised() -> None:
    assert validate_uscc("  91350100m000100y43\n") == "91350100M000100Y43"
    assert validate_uscc("\u300091330100799655058b\u3000") == "91330100799655058B"


@pytest.mark.parametrize("authority", ["0", "B", "X"])
def test_uscc_unknown_registration_authority(authority: str) -> None:
    first17 = authority + KNOWN_USCCS[0][1:17]
    err = _uscc_error(first17 + uscc_check_char(first17))
    assert err.code == "uscc.authority"
    assert f"登记管理部门代码）“{authority}”无效" in err.message


@pytest.mark.parametrize("authority", sorted(USCC_AUTHORITY_CODES))
def test_uscc_all_registration_authorities_accepted(authority: str) -> None:
    assert is_valid_uscc(make_uscc(region_code="330100", serial=42, authority=authority))


def test_uscc_region_must_be_digits() -> None:
    first17 = "9135A100" + KNOWN_USCCS[0][8:17]
    err = _uscc_error(first17 + uscc_check_char(first17))
    assert err.code == "uscc.region"
    assert "行政区划码）应为6位数字，实为“35A100”" in err.message


def test_uscc_wrong_org_code_check() -> None:
    first17 = "91350100M000100Y5"  # GB 11714 check should be 4
    err = _uscc_error(first17 + uscc_check_char(first17))
    assert err.code == "uscc.org_code"
    assert "组织机构代码）校验位错误：应为 4，实为 5" in err.message


def test_uscc_wrong_check_digit() -> None:
    err = _uscc_error("91350100M000100Y44")
    assert err.code == "uscc.check_digit"
    assert err.message == "统一社会信用代码校验位错误：应为 3，实为 4"


# --- 公民身份号码: known values -----------------------------------------------------------


def test_standard_example_is_valid_and_reproducible() -> None:
    assert id_check_char(STANDARD_ID_EXAMPLE[:17]) == "X"
    assert validate_id_number(STANDARD_ID_EXAMPLE) == STANDARD_ID_EXAMPLE
    assert is_valid_id_number(STANDARD_ID_EXAMPLE)
    made = make_id_number(region_code="110105", birth_date=dt.date(1949, 12, 31), sequence=2)
    assert made == STANDARD_ID_EXAMPLE


def test_standard_example_from_1880_is_rejected_only_for_its_birth_date() -> None:
    assert id_check_char(STANDARD_ID_EXAMPLE_1880[:17]) == STANDARD_ID_EXAMPLE_1880[17]
    err = _id_error(STANDARD_ID_EXAMPLE_1880)
    assert err.code == "id_number.birth_date"
    assert "1880-01-01 早于1900年" in err.message


@pytest.mark.parametrize(("sequence", "odd"), [(1, True), (2, False), (999, True), (0, False)])
def test_make_id_number_sex_digit_follows_sequence(sequence: int, odd: bool) -> None:
    number = make_id_number(region_code="330802", birth_date=dt.date(1990, 1, 1), sequence=sequence)
    assert (int(number[16]) % 2 == 1) is odd


@pytest.mark.parametrize(
    "kwargs",
    [
        {"region_code": "33080", "sequence": 1},
        {"region_code": "99080", "sequence": 1},
        {"region_code": "990802", "sequence": 1},
        {"region_code": "330802", "sequence": -1},
        {"region_code": "330802", "sequence": 1000},
    ],
)
def test_make_id_number_rejects_bad_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|province"):
        make_id_number(birth_date=dt.date(1990, 1, 1), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad", ["", "1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２"]
)
def test_id_check_char_rejects_bad_input(bad: str) -> None:
    with pytest.raises(ValueError, match="need 17 ASCII digits"):
        id_check_char(bad)


# --- 公民身份号码: properties -------------------------------------------------------------


@given(id_numbers)
def test_every_made_id_number_is_valid(number: str) -> None:
    assert validate_id_number(number, today=TODAY) == number
    assert validate_id_number(f" {number.lower()} ", today=TODAY) == number


@given(id_numbers, st.integers(0, 17), st.integers(1, 10))
def test_any_single_substitution_in_id_number_is_detected(
    number: str, pos: int, shift: int
) -> None:
    # Every other digit or X, at every position (X before the last is a charset error).
    replacement = ID_ALPHABET[(ID_ALPHABET.index(number[pos]) + shift) % 11]
    mutated = _substitute(number, pos, replacement)
    assert not is_valid_id_number(mutated)
    with pytest.raises(IdentifierError):
        validate_id_number(mutated, today=TODAY)
    if "X" not in mutated[:17]:
        # ISO 7064 MOD 11-2 alone catches it: 11 is prime and no weight is 0 mod 11.
        assert id_check_char(mutated[:17]) != mutated[17]


# --- 公民身份号码: error codes and messages ------------------------------------------------


def test_id_number_wrong_length() -> None:
    err = _id_error("330802199001011")
    assert err.code == "id_number.length"
    assert err.message == "公民身份号码应为18位，实为15位"


@pytest.mark.parametrize(("pos", "ch"), [(3, "A"), (16, "X"), (17, "Y"), (0, "１")])
def test_id_number_bad_characters(pos: int, ch: str) -> None:
    err = _id_error(_substitute(STANDARD_ID_EXAMPLE, pos, ch))
    assert err.code == "id_number.charset"
    assert f"公民身份号码含有不允许的字符“{ch}”" in err.message


def test_id_number_lower_case_x_is_normalised() -> None:
    assert validate_id_number(" 11010519491231002x ") == STANDARD_ID_EXAMPLE


def test_id_number_wrong_check_digit() -> None:
    err = _id_error("110105194912310021")
    assert err.code == "id_number.check_digit"
    assert err.message == "公民身份号码校验位错误：应为 X，实为 1"


def test_id_number_future_birth_date() -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    number = make_id_number(region_code="330802", birth_date=tomorrow, sequence=1)
    err = _id_error(number)
    assert err.code == "id_number.birth_date"
    assert f"出生日期 {tomorrow.isoformat()} 晚于今天" in err.message
    assert validate_id_number(number, today=tomorrow) == number


def test_id_number_born_today_is_valid() -> None:
    number = make_id_number(region_code="330802", birth_date=TODAY, sequence=1)
    assert validate_id_number(number, today=TODAY) == number


@pytest.mark.parametrize("birth", ["19900230", "19900229", "20231301", "19900100", "00000101"])
def test_id_number_invalid_calendar_date(birth: str) -> None:
    err = _id_error(_with_id_check(f"330802{birth}123"))
    assert err.code == "id_number.birth_date"
    assert f"出生日期 {birth[:4]}-{birth[4:6]}-{birth[6:]} 不是有效日期" in err.message


def test_id_number_leap_day_is_a_real_date() -> None:
    number = _with_id_check("33080220000229123")
    assert validate_id_number(number) == number


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "38", "55", "66", "72", "83", "99"])
def test_id_number_bad_province_code(province: str) -> None:
    err = _id_error(_with_id_check(f"{province}080219900101123"))
    assert err.code == "id_number.region"
    assert f"前两位“{province}”不是有效的省级行政区划代码" in err.message


def test_all_province_codes_accepted() -> None:
    assert len(ID_PROVINCE_CODES) == 34
    for province in ID_PROVINCE_CODES:
        assert is_valid_id_number(_with_id_check(f"{province}010119900101123"))


# --- Masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("33080219900101123X", "330802********123X"),
        ("33080219900101123x", "330802********123X"),
        (" 330802199001011234 ", "330802********1234"),
        ("330802900101123", "330802*****1123"),  # old 15-digit number
        ("1234567890", "**********"),
        ("", ""),
    ],
)
def test_mask_id_number(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧***"),
        ("张", "张"),
        (" 李四 ", "李*"),
        ("", ""),
    ],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), (" 13812345678 ", "138****5678"), ("1234567", "*******")],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@given(id_numbers)
def test_masked_id_number_hides_birth_date(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[6:14] == "*" * 8
    assert masked[:6] == number[:6]
    assert masked[-4:] == number[-4:]
