from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_cache(settings):  # type: ignore[no-untyped-def]
    """A fresh local-memory cache per test: login throttling and rate counters don't leak."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference_data(db):  # type: ignore[no-untyped-def]
    """Regions, industries, boards, tags and permit requirements, loaded as in production."""
    from zqt.core.reference import reference_load_all

    reference_load_all()
