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
    return report
