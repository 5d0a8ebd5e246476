"""The UI in English and Simplified Chinese (the default and source language).

The language comes from the switcher's cookie or the browser's Accept-Language; with neither,
pages stay Chinese. The English catalog must be complete: no empty or fuzzy entries, the same
placeholders as the Chinese, and a compiled .mo that matches the .po.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.accounts.factories import login_verified, staff
from tests.enterprises.factories import EnterpriseFactory, LicenceFactory, enterprise_user
from zqt.accounts.enums import Role
from zqt.core.timeutil import local_today
from zqt.enterprises.enums import LicenceStatus

LOGIN = "/accounts/login/"
SEARCH = "/enterprises/"
SPACE = "/space/"
PO_FILE = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")


@pytest.fixture(autouse=True)
def _reset_language() -> Iterator[None]:
    """LocaleMiddleware leaves the request's language active in the thread; don't leak 'en'."""
    yield
    translation.deactivate()


def _english(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def shop(reference_data):  # type: ignore[no-untyped-def]
    """A food manufacturer in 柯城区 with an expiring, a valid, an expired and a pending licence."""
    enterprise = EnterpriseFactory(name="衢州绿源食品有限公司", industry_code="14")
    today = local_today()
    LicenceFactory(
        enterprise=enterprise,
        licence_type="食品生产许可证",
        expires_on=today + dt.timedelta(days=20),
    )
    LicenceFactory(
        enterprise=enterprise, licence_type="排污许可证", expires_on=today + dt.timedelta(days=400)
    )
    LicenceFactory(
        enterprise=enterprise, licence_type="取水许可证", expires_on=today - dt.timedelta(days=3)
    )
    LicenceFactory(enterprise=enterprise, licence_type="卫生许可证", status=LicenceStatus.PENDING)
    return enterprise


# --- login page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client) -> None:  # type: ignore[no-untyped-def]
    body = client.get(LOGIN).content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录政企通" in body
    assert "用户名" in body
    assert "Sign in to ZQT" not in body


@pytest.mark.django_db
def test_login_page_in_english_with_the_language_cookie(client) -> None:  # type: ignore[no-untyped-def]
    _english(client)
    body = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in body
    assert "Sign in to ZQT" in body
    assert ">Username</label>" in body
    assert ">Password</label>" in body
    assert "Skip to main content" in body
    assert "登录政企通" not in body
    # The switcher offers both languages, each in its own name, with English selected.
    assert '<option value="en" selected>English</option>' in body
    assert '<option value="zh-hans">简体中文</option>' in body


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["en", "en-GB,en;q=0.9,zh;q=0.5"])
def test_login_page_in_english_with_accept_language(client, header: str) -> None:  # type: ignore[no-untyped-def]
    body = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE=header).content.decode()
    assert '<html lang="en">' in body
    assert "Sign in to ZQT" in body


@pytest.mark.django_db
def test_the_cookie_wins_over_accept_language(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    body = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "登录政企通" in body


@pytest.mark.django_db
def test_the_switcher_sets_the_language_and_goes_back(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in to ZQT" in client.get(LOGIN).content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": LOGIN})
    assert "登录政企通" in client.get(LOGIN).content.decode()


@pytest.mark.django_db
def test_form_errors_follow_the_language(client) -> None:  # type: ignore[no-untyped-def]
    _english(client)
    body = client.post(LOGIN, {"username": "nobody", "password": "wrong-pass"}).content.decode()
    assert "Incorrect username or password." in body


# --- staff search --------------------------------------------------------------------------


@pytest.mark.django_db
def test_enterprise_search_in_english(client, shop) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    _english(client)
    body = client.get(SEARCH, {"q": "绿源"}).content.decode()
    assert "<h1>Enterprise search</h1>" in body
    # Navigation, role badge, form labels and choices, table headers, enum labels.
    assert ">Enterprise search</a>" in body
    assert "Front desk" in body
    assert "Unified social credit code or enterprise name" in body
    assert '<option value="" selected>All statuses</option>' in body
    assert ">Existing</option>" in body
    assert "<th>Registration status</th>" in body
    assert "Results: 1" in body
    assert ">Existing</span>" in body
    assert '<td data-label="Size">Small</td>' in body
    # Reference data (names of enterprises, regions, industries) stays as recorded.
    assert "衢州绿源食品有限公司" in body
    assert "企业检索" not in body
    assert "登记状态" not in body


@pytest.mark.django_db
def test_enterprise_search_in_chinese_by_default(client, shop) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    body = client.get(SEARCH, {"q": "绿源"}).content.decode()
    assert "<h1>企业检索</h1>" in body
    assert "<th>登记状态</th>" in body
    assert "共 1 户" in body
    assert ">存续</span>" in body
    assert "综合受理" in body
    assert "Enterprise search" not in body


@pytest.mark.django_db
def test_enterprise_detail_in_english(client, shop) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, staff(Role.FRONT_DESK))
    _english(client)
    body = client.get(f"/enterprises/{shop.uscc}/").content.decode()
    assert "Basic information" in body
    assert "Limited liability company" in body
    # The purpose is shown in the reader's language, though recorded in Chinese.
    assert "This view has been recorded in the audit log (purpose: Counter enquiry)." in body
    assert '<option value="窗口查询" selected>Counter enquiry</option>' in body
    assert "Licence colour legend" in body
    assert "Expires in 20 days" in body


# --- enterprise space ----------------------------------------------------------------------


@pytest.mark.django_db
def test_enterprise_space_in_english(client, shop) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, enterprise_user(shop))
    _english(client)
    body = client.get(SPACE).content.decode()
    assert '<html lang="en">' in body
    assert "<title>Enterprise space · ZQT</title>" in body
    assert "Enterprise user" in body
    for label in ("Required", "Held", "Missing"):
        assert f'<div class="stat__label">{label}</div>' in body
    assert "My licences" in body
    assert "Required permits" in body
    assert "Expiry reminders" in body
    assert "Expires in 20 days" in body
    # Colour states and their legend.
    for state in ("Valid", "Expiring", "Expired", "Pending"):
        assert f">{state}</span>" in body
    assert "Valid, with more than 60 days to expiry or no expiry date" in body
    assert "Small" in body
    # Licence types and issuers are data and stay Chinese.
    assert "食品生产许可证" in body
    for chinese in ("应办", "已办", "未办", "我的证照", "还有20天到期", "即将到期"):
        assert chinese not in body


@pytest.mark.django_db
def test_enterprise_space_in_chinese_by_default(client, shop) -> None:  # type: ignore[no-untyped-def]
    login_verified(client, enterprise_user(shop))
    body = client.get(SPACE).content.decode()
    assert '<html lang="zh-hans">' in body
    for label in ("应办", "已办", "未办"):
        assert f'<div class="stat__label">{label}</div>' in body
    assert "我的证照" in body
    assert "还有20天到期" in body
    assert ">即将到期</span>" in body
    assert "证照有效，且距到期超过60天或长期有效" in body
    assert "My licences" not in body


# --- public pages of the service list, the bundles and the enterprise code ---------------------


@pytest.fixture
def coded_shop(shop, settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`shop` with an enterprise code signed by a fresh key ring of this test."""
    from zqt.ecode import keys, services

    settings.ZQT_ECODE_KEY_DIR = str(tmp_path / "ecode-keys")
    settings.ZQT_ECODE_KEYRING = ""
    keys.reset_cache()
    yield shop, services.ecode_ensure(enterprise=shop)
    keys.reset_cache()


@pytest.mark.django_db
def test_public_catalog_bundles_and_code_pages_in_english(client, coded_shop) -> None:  # type: ignore[no-untyped-def]
    from zqt.ecode import selectors as ecode_selectors

    shop, code = coded_shop
    _english(client)

    body = client.get("/catalog/").content.decode()
    assert "<h1>Enterprise service list</h1>" in body
    assert ">Keywords</label>" in body
    assert '<option value="">All categories</option>' in body
    assert "<th>Service item</th>" in body
    assert "涉企服务事项清单" not in body

    body = client.get("/catalog/item/0804/").content.decode()
    assert "<dt>How to apply</dt>" in body
    assert '<span class="badge badge--neutral">Online</span>' in body  # a channel label
    assert "公证远程办理" in body  # the item itself is reference data and stays Chinese
    assert "怎么办理" not in body

    body = client.get("/bundles/").content.decode()
    assert "<h1>One-stop bundles for enterprises</h1>" in body
    assert ">World Bank topic</label>" in body
    assert "basic services" in body or "basic service<" in body
    assert "涉企服务“一类事”" not in body

    response = client.get(ecode_selectors.code_path(code.token))
    body = response.content.decode()
    assert response.status_code == 200 and 'data-verdict="valid"' in body
    assert "<title>Enterprise code verification · ZQT</title>" in body
    assert "Genuine, valid enterprise code" in body
    assert "Static code · Signing key" in body
    assert "Registration status: Existing" in body
    assert "<dt>Unified social credit code</dt>" in body
    assert "Limited liability company" in body
    assert "Licence colour legend" in body
    for state in ("Valid", "Expiring", "Expired", "Pending"):
        assert f">{state}</span>" in body
    assert shop.name in body and "食品生产许可证" in body  # data stays as recorded
    for chinese in ("真实有效的企业码", "基本信息", "登记状态", "静态码", "即将到期"):
        assert chinese not in body


@pytest.mark.django_db
def test_public_catalog_bundles_and_code_pages_in_chinese_by_default(client, coded_shop) -> None:  # type: ignore[no-untyped-def]
    from zqt.ecode import selectors as ecode_selectors

    _shop, code = coded_shop
    body = client.get("/catalog/").content.decode()
    assert "<h1>涉企服务事项清单</h1>" in body and "Enterprise service list" not in body
    body = client.get("/catalog/item/0804/").content.decode()
    assert '<span class="badge badge--neutral">网上办</span>' in body
    body = client.get("/bundles/").content.decode()
    assert "<h1>涉企服务“一类事”</h1>" in body and "One-stop bundle" not in body
    body = client.get(ecode_selectors.code_path(code.token)).content.decode()
    assert "真实有效的企业码" in body
    assert "静态码 · 签名密钥" in body
    assert "登记状态：存续" in body
    assert ">即将到期</span>" in body
    assert "Genuine" not in body


# --- the catalog ---------------------------------------------------------------------------


@dataclass
class PoEntry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)


def _unquote(text: str) -> str:
    return (
        text[1:-1]
        .replace('\\"', '"')
        .replace("\\n", "\n")
        .replace("\\t", "\t")
        .replace("\\\\", "\\")
    )


def read_po(path: Path) -> list[PoEntry]:
    """A small .po reader (no polib): entries with context, plural and flags."""
    entries: list[PoEntry] = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = PoEntry()
        current: str | None = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                value = _unquote(line)
            else:
                current, value = keyword, _unquote(rest)
                if current.startswith("msgstr"):
                    entry.msgstr.append("")
            if current == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif current == "msgid":
                entry.msgid += value
            elif current == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif current and current.startswith("msgstr"):
                entry.msgstr[-1] += value
        entries.append(entry)
    return entries


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def test_po_file_is_fully_translated() -> None:
    header, *entries = read_po(PO_FILE)
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: en" in header.msgstr[0]
    assert len(entries) > 250
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    for entry in entries:
        wanted = sorted(_PLACEHOLDER.findall(entry.msgid))
        for msgstr in entry.msgstr:
            assert sorted(_PLACEHOLDER.findall(msgstr)) == wanted, entry.msgid
        # Source strings are Chinese; nothing left untranslated by copying it across.
        if re.search(r"[\u4e00-\u9fff]", entry.msgid):
            assert not re.fullmatch(r"[^a-zA-Z]*", entry.msgstr[0]), entry.msgid


def test_compiled_catalog_matches_the_po_file() -> None:
    """The committed .mo (the quick start needs no gettext) is compiled from the current .po."""
    with MO_FILE.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    for entry in read_po(PO_FILE)[1:]:
        if entry.msgid_plural is not None:
            got = [
                catalog.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt
                else catalog.ngettext(entry.msgid, entry.msgid_plural, n)
                for n in (1, 2)
            ]
            assert got == entry.msgstr, entry.msgid
        elif entry.msgctxt:
            assert catalog.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr[0]
        else:
            assert catalog.gettext(entry.msgid) == entry.msgstr[0], entry.msgid
