"""Chinese identifiers: 统一社会信用代码 (GB 32100-2015) and 公民身份号码 (GB 11643-1999).

Standard library only, so forms, the API, bulk imports and tests share one implementation.
Validators raise IdentifierError (a ValueError) with a machine `code` and a Chinese `message`
for the person who typed the value; `make_*` build valid values for fixtures and tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

__all__ = [
    "ID_PROVINCE_CODES",
    "USCC_AUTHORITY_CODES",
    "USCC_CHARSET",
    "IdentifierError",
    "id_check_char",
    "is_valid_id_number",
    "is_valid_uscc",
    "make_id_number",
    "make_uscc",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "org_code_check_char",
    "uscc_check_char",
    "validate_id_number",
    "validate_uscc",
]

_DIGITS: Final = "0123456789"

# GB 32100-2015 code set: digits and capitals without I, O, Z, S, V (too easily confused
# with 1, 0, 2, 5, U). A character's value is its index here.
USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final = {ch: i for i, ch in enumerate(USCC_CHARSET)}
_USCC_FORBIDDEN: Final = "IOZSV"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Position 1, 登记管理部门代码: GB 32100-2015 plus the codes assigned since under it
# (2-8, A, N). Accepting only 1/5/9/Y would reject real law firms (3x) and the village
# collective economic organisations (N2) that are common in Zhejiang.
USCC_AUTHORITY_CODES: Final[dict[str, str]] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

# GB 11714-1997 组织机构代码 check (positions 9-17 of a USCC).
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARSET: Final = _DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# GB 11643-1999: ISO 7064 MOD 11-2, weights 2**(17 - i) mod 11.
_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS: Final = "10X98765432"
ID_PROVINCE_CODES: Final = frozenset(
    f"{n:02d}"
    for n in (
        *range(11, 16),
        *range(21, 24),
        *range(31, 38),
        *range(41, 47),
        *range(50, 55),
        *range(61, 66),
        71,
        81,
        82,
    )
)
_ID_EARLIEST_BIRTH_YEAR: Final = 1900

# China has had no DST since 1991, so a fixed UTC+8 gives the local date without tzdata.
_CHINA_TZ: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")

_ASCII_UPPER: Final = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class IdentifierError(ValueError):
    """An invalid identifier: `code` for machines, `message` (Chinese) for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[IdentifierError], tuple[str, str]]:
        # The default would re-create from args=(message,) and lose `code` when pickled
        # (task queue payloads, multiprocessing).
        return (type(self), (self.code, self.message))


def _is_digits(value: str) -> bool:
    # str.isdigit() also accepts "²", "١" and full-width digits; only ASCII is valid here.
    return all(ch in _DIGITS for ch in value)


def _shown(ch: str) -> str:
    """A character as a person can see it inside “…” in a message."""
    if ch == " ":
        return "空格"
    if ch.isspace() or not ch.isprintable():
        return f"U+{ord(ch):04X}"
    return ch


# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character (position 18) for the first 17 characters."""
    if len(first17) != 17 or any(ch not in _USCC_VALUES for ch in first17):
        raise ValueError(f"need 17 characters from {USCC_CHARSET}, got {first17!r}")
    total = sum(_USCC_VALUES[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The GB 11714 check character for an 8-character 组织机构代码 body."""
    if len(first8) != 8 or any(ch not in _ORG_CHARSET for ch in first8):
        raise ValueError(f"need 8 digits or capital letters, got {first8!r}")
    # Index in _ORG_CHARSET is the GB 11714 value: 0-9, then A=10 .. Z=35.
    total = sum(_ORG_CHARSET.index(ch) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def validate_uscc(value: str) -> str:
    """Return the normalised (stripped, upper-case) USCC or raise IdentifierError."""
    # Only ASCII is upper-cased: str.upper() maps "ı" to "I" and "ﬀ" to "FF", which could
    # turn a stray character into a valid-looking code.
    code = value.strip().translate(_ASCII_UPPER)
    if len(code) != 18:
        raise IdentifierError("uscc.length", f"统一社会信用代码应为18位，实为{len(code)}位")
    for ch in code:
        if ch in _USCC_VALUES:
            continue
        if ch in _USCC_FORBIDDEN:
            hint = "不得使用 I、O、Z、S、V"
        else:
            hint = "只能使用数字和大写英文字母，且不得使用 I、O、Z、S、V"
        raise IdentifierError(
            "uscc.charset", f"统一社会信用代码含有不允许的字符“{_shown(ch)}”（{hint}）"
        )
    if code[0] not in USCC_AUTHORITY_CODES:
        allowed = "、".join(USCC_AUTHORITY_CODES)
        raise IdentifierError(
            "uscc.authority",
            f"统一社会信用代码第1位（登记管理部门代码）“{code[0]}”无效，应为 {allowed} 之一",
        )
    region = code[2:8]
    if not _is_digits(region):
        raise IdentifierError(
            "uscc.region",
            f"统一社会信用代码第3至8位（登记管理机关行政区划码）应为6位数字，实为“{region}”",
        )
    org_expected = org_code_check_char(code[8:16])
    if code[16] != org_expected:
        raise IdentifierError(
            "uscc.org_code",
            "统一社会信用代码第9至17位（组织机构代码）校验位错误："
            f"应为 {org_expected}，实为 {code[16]}",
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise IdentifierError(
            "uscc.check_digit", f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}"
        )
    return code


def is_valid_uscc(value: str) -> bool:
    """True if validate_uscc accepts the value."""
    try:
        validate_uscc(value)
    except IdentifierError:
        return False
    return True


def make_uscc(*, region_code: str, serial: int, authority: str = "9", category: str = "1") -> str:
    """Build a valid USCC deterministically from a serial (fixtures, tests, demo data).

    The 8-character org-code body is `serial` in base 31 over USCC_CHARSET, taken modulo
    31**8 (about 8.5e11): distinct serials below that give distinct codes, larger ones wrap.
    """
    if len(region_code) != 6 or not _is_digits(region_code):
        raise ValueError(f"region_code must be 6 ASCII digits, got {region_code!r}")
    if serial < 0:
        raise ValueError(f"serial must be >= 0, got {serial}")
    if authority not in USCC_AUTHORITY_CODES:
        raise ValueError(f"unknown registration authority code {authority!r}")
    if len(category) != 1 or category not in _USCC_VALUES:
        raise ValueError(f"category must be one character from {USCC_CHARSET}, got {category!r}")
    n = serial % 31**8
    body_chars: list[str] = []
    for _ in range(8):
        n, digit = divmod(n, 31)
        body_chars.append(USCC_CHARSET[digit])
    body = "".join(reversed(body_chars))
    # The GB 11714 check is a digit or "X", both in USCC_CHARSET.
    first17 = f"{authority}{category}{region_code}{body}{org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


# --- 公民身份号码 (GB 11643-1999) -------------------------------------------------------


def _china_today() -> dt.date:
    # Birth dates are Chinese calendar dates; the server may run in UTC.
    return dt.datetime.now(_CHINA_TZ).date()


def id_check_char(first17: str) -> str:
    """The GB 11643 (ISO 7064 MOD 11-2) check character for the first 17 digits."""
    if len(first17) != 17 or not _is_digits(first17):
        raise ValueError(f"need 17 ASCII digits, got {first17!r}")
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def validate_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised 18-digit ID number (upper-case X) or raise IdentifierError.

    `today` defaults to the current date in China; birth dates after it are rejected.
    """
    number = value.strip().replace("x", "X")
    if len(number) != 18:
        raise IdentifierError("id_number.length", f"公民身份号码应为18位，实为{len(number)}位")
    for i, ch in enumerate(number):
        if ch in _DIGITS or (i == 17 and ch == "X"):
            continue
        raise IdentifierError(
            "id_number.charset",
            f"公民身份号码含有不允许的字符“{_shown(ch)}”"
            "（前17位只能是数字，最后一位只能是数字或 X）",
        )
    if number[:2] not in ID_PROVINCE_CODES:
        raise IdentifierError(
            "id_number.region",
            f"公民身份号码地址码错误：前两位“{number[:2]}”不是有效的省级行政区划代码",
        )
    raw = number[6:14]
    shown = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        born = dt.date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        raise IdentifierError(
            "id_number.birth_date", f"公民身份号码中的出生日期 {shown} 不是有效日期"
        ) from None
    if born.year < _ID_EARLIEST_BIRTH_YEAR:
        raise IdentifierError(
            "id_number.birth_date", f"公民身份号码中的出生日期 {shown} 早于1900年"
        )
    if born > (today if today is not None else _china_today()):
        raise IdentifierError("id_number.birth_date", f"公民身份号码中的出生日期 {shown} 晚于今天")
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise IdentifierError(
            "id_number.check_digit", f"公民身份号码校验位错误：应为 {expected}，实为 {number[17]}"
        )
    return number


def is_valid_id_number(value: str) -> bool:
    """True if validate_id_number accepts the value (today's date in China)."""
    try:
        validate_id_number(value)
    except IdentifierError:
        return False
    return True


def make_id_number(*, region_code: str, birth_date: dt.date, sequence: int) -> str:
    """Build an ID number with a correct check character (fixtures, tests, demo data).

    The 17th digit's parity is the sex (odd male, even female), as `sequence` gives it.
    The birth date is not checked against 1900..today: that depends on the caller's "today",
    and tests need deliberately implausible numbers with a valid check character.
    """
    if len(region_code) != 6 or not _is_digits(region_code):
        raise ValueError(f"region_code must be 6 ASCII digits, got {region_code!r}")
    if region_code[:2] not in ID_PROVINCE_CODES:
        raise ValueError(f"region_code {region_code!r} does not start with a province code")
    if not 0 <= sequence <= 999:
        raise ValueError(f"sequence must be 0..999, got {sequence}")
    born = f"{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}"
    first17 = f"{region_code}{born}{sequence:03d}"
    return first17 + id_check_char(first17)


# --- Masking for display ----------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters: "330802********123X"."""
    number = value.strip().replace("x", "X")
    if len(number) <= 10:
        # Nothing sensible to keep without showing most of the value.
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(value: str) -> str:
    """Keep the first character, one * per remaining character: "张**"."""
    name = value.strip()
    return name[:1] + "*" * (len(name) - 1)


def mask_phone(value: str) -> str:
    """Keep the first 3 and last 4 characters: "138****5678"."""
    phone = value.strip()
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
