"""Root-level routes of the enterprise code: the short uppercase scan URLs printed in QR codes
and the published key set under /.well-known/ (mounted at "" in zqt.config.urls)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
