from __future__ import annotations

import pytest


@pytest.fixture
def refs(db):  # type: ignore[no-untyped-def]
    """The foundation's reference data this app needs (org units, boards, departments, message
    templates), without other feature apps' loaders."""
    from zqt.accounts import reference as accounts_ref
    from zqt.notifications.services import notification_templates_load

    accounts_ref.org_units_load_reference()
    accounts_ref.service_boards_load_reference()
    accounts_ref.departments_load_reference()
    notification_templates_load()


@pytest.fixture
def c(refs):  # type: ignore[no-untyped-def]
    from tests.appeals.factories import cast

    return cast()
