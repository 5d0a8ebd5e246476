"""Domain errors raised by services: a machine code plus a Chinese message for people.

The API maps them to structured 4xx responses ({"code", "message", "field", "errors"});
pages show `message` next to `field`.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.errors = errors or []

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.errors:
            data["errors"] = self.errors
        return data


class ValidationFailed(DomainError):
    code = "invalid"


class NotFoundError(DomainError):
    """Also used when an object exists but the user may not know it does (no existence leak)."""

    code = "not_found"


class PermissionDeniedError(DomainError):
    code = "forbidden"


class ConflictError(DomainError):
    code = "conflict"


def validation_error_from_django(exc: Any) -> ValidationFailed:
    """Turn a django ValidationError (from full_clean) into one ValidationFailed with all fields."""
    errors: list[dict[str, Any]] = []
    if hasattr(exc, "message_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                errors.append({"field": field, "message": str(message)})
    else:
        for message in exc.messages:
            errors.append({"field": None, "message": str(message)})
    first = errors[0] if errors else {"field": None, "message": "数据校验失败。"}
    return ValidationFailed(
        str(first["message"]), field=first["field"], errors=errors, code="invalid"
    )
