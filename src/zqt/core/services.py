"""Small helpers every app's services use."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from zqt.core.errors import validation_error_from_django

M = TypeVar("M", bound=models.Model)


def full_clean_or_raise(instance: models.Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise validation_error_from_django(exc) from exc


def model_update(
    *, instance: M, fields: list[str], data: dict[str, Any]
) -> tuple[M, dict[str, tuple[Any, Any]]]:
    """Set the given fields from data, validate, save with update_fields.

    Returns the instance and a {field: (old, new)} dict of what actually changed, which callers
    write to the audit trail. Nothing is saved when nothing changed.
    """
    changes: dict[str, tuple[Any, Any]] = {}
    for field in fields:
        if field not in data:
            continue
        old = getattr(instance, field)
        new = data[field]
        if old != new:
            setattr(instance, field, new)
            changes[field] = (old, new)
    if changes:
        full_clean_or_raise(instance)
        update_fields = list(changes)
        if any(f.name == "updated_at" for f in instance._meta.get_fields()):
            update_fields.append("updated_at")
        instance.save(update_fields=update_fields)
    return instance, changes
