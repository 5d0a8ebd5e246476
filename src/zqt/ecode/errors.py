"""Why a code was refused: one machine code and one Chinese message per reason. Pure.

Pages show `message`; the API returns {"code", "message"}; scan records store `code` as the
failure reason (statistics by reason).
"""

from __future__ import annotations

from zqt.core.errors import DomainError

MESSAGES: dict[str, str] = {
    "malformed": "码内容格式不正确，不是有效的企业码。",
    "bad_encoding": "码内容编码错误，无法解码（不是有效的 Base32 内容）。",
    "unsupported_version": "不支持的企业码版本，请更新扫码应用。",
    "algorithm_not_allowed": "签名算法不在允许范围内，拒绝验证。",
    "unknown_key": "签名密钥未知，无法确认企业码真伪。",
    "bad_signature": "签名校验失败：企业码可能被伪造或篡改。",
    "key_revoked": "签发该码的密钥已停用（密钥泄露或已退役），该码已失效。",
    "expired": "动态码已过期，请企业刷新后重新出示。",
    "not_yet_valid": "企业码签发时间晚于当前时间，请检查设备时钟。",
    "replayed": "该动态码已被使用，不能重复使用，请企业刷新后重新出示。",
    "revoked": "该企业已吊销或注销，企业码已失效。",
    "code_revoked": "该企业码已被作废，请企业重新申领。",
    "unknown_enterprise": "企业码对应的市场主体不存在。",
    "wrong_kind": "此处需要企业的动态码，静态码不能用于办事或登录。",
    "status_unavailable": "状态清单中没有该码的状态，无法离线确认。",
    "list_bad_signature": "信任清单或状态清单的签名无效。",
    "list_expired": "信任清单或状态清单已过期，请联网更新后再验证。",
    "no_qr": "图片中未识别到二维码。",
    "not_ecode": "图片中的二维码不是企业码。",
    "bad_image": "无法读取图片文件。",
}


class CodeError(DomainError):
    """A refused code. `code` is one of MESSAGES."""

    def __init__(self, code: str, *, field: str | None = "token") -> None:
        if code not in MESSAGES:
            raise ValueError(f"unknown code error {code!r}")
        super().__init__(MESSAGES[code], code=code, field=field)


class RateLimited(DomainError):
    """Too many requests of one kind from one client; the API answers 429."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, code="rate_limited", field=None)
        self.retry_after = retry_after
