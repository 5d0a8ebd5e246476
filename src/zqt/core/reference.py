"""Load every app's reference data, in dependency order. Idempotent; used by migrate-time
setup (`zqt load_reference`), the demo loader and the test fixture."""

from __future__ import annotations

from typing import Any


def reference_load_all() -> dict[str, Any]:
    from zqt.accounts import reference as accounts_ref
    from zqt.enterprises import reference as enterprises_ref

    report: dict[str, Any] = {}
    report["org_units"] = accounts_ref.org_units_load_reference().__dict__
    report["service_boards"] = accounts_ref.service_boards_load_reference().__dict__
    report["departments"] = accounts_ref.departments_load_reference().__dict__
    report["industries"] = enterprises_ref.industries_load_reference()
    report["tags"] = enterprises_ref.tags_load_reference()
    report["permit_requirements"] = enterprises_ref.permit_requirements_load_reference()
    try:
        from zqt.notifications.services import notification_templates_load
    except ImportError:  # notifications app not migrated in a partial checkout
        pass
    else:
        report["notification_templates"] = notification_templates_load()
    report.update(_app_reference_load())
    return report


def _app_reference_load() -> dict[str, Any]:
    """Feature apps (catalog, bundles, policies, ...) ship their own `<app>/reference.py` with a
    `reference_load() -> dict` function; they run after the foundation's data, in
    INSTALLED_APPS order, so they may rely on regions, industries, boards and departments."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    foundation = {"zqt.core", "zqt.accounts", "zqt.enterprises", "zqt.notifications"}
    report: dict[str, Any] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("zqt.") or config.name in foundation:
            continue
        if find_spec(f"{config.name}.reference") is None:
            continue
        module = import_module(f"{config.name}.reference")
        loader = getattr(module, "reference_load", None)
        if loader is not None:
            report[config.label] = loader()
    return report
