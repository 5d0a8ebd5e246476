"""QR images and the A4 poster. Pure (no ORM). Rendering costs milliseconds, so services call
it when a code is issued and cache the result; no request renders a static code."""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

SCREEN_ERROR = "M"
PRINT_ERROR = "Q"
POSTER_QR_MM = 120  # well above the 35 mm minimum, readable from a metre or two


def qr(url: str, *, error: str = SCREEN_ERROR) -> segno.QRCode:
    code = segno.make_qr(url, error=error, boost_error=False)
    if code.mode != "alphanumeric":
        raise ValueError("an enterprise code must encode in QR alphanumeric mode")
    return code


def svg(url: str) -> str:
    buffer = io.BytesIO()
    qr(url).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgns=True, svgclass="qr-code"
    )
    return buffer.getvalue().decode()


def png(url: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def poster_pdf(*, url: str, enterprise_name: str, uscc: str, footer: str) -> bytes:
    """An A4 poster for display at the premises: name, USCC, a 120 mm QR code at level Q."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    page.setTitle(f"{enterprise_name} 企业码")
    page.setFont("STSong-Light", 28)
    page.drawCentredString(width / 2, height - 40 * mm, "企 业 码")
    page.setFont("STSong-Light", 20)
    page.drawCentredString(width / 2, height - 55 * mm, enterprise_name)
    page.setFont("STSong-Light", 12)
    page.drawCentredString(width / 2, height - 63 * mm, f"统一社会信用代码：{uscc}")
    image = io.BytesIO()
    qr(url, error=PRINT_ERROR).save(image, kind="png", scale=12, border=4)
    image.seek(0)
    size = POSTER_QR_MM * mm
    page.drawImage(ImageReader(image), (width - size) / 2, height - 75 * mm - size, size, size)
    page.setFont("STSong-Light", 12)
    page.drawCentredString(
        width / 2, 60 * mm, "请使用手机相机、微信或支付宝扫码核验企业身份与证照状态"
    )
    page.setFont("STSong-Light", 9)
    page.drawCentredString(width / 2, 45 * mm, footer)
    page.showPage()
    page.save()
    return buffer.getvalue()
