"""Root-level routes of the enterprise code: the short uppercase scan URLs printed in QR codes
and the published key set under /.well-known/ (mounted at "" in zqt.config.urls)."""

from django.urls import URLPattern, URLResolver, path, re_path

from zqt.ecode import views

app_name = "ecode_root"

urlpatterns: list[URLPattern | URLResolver] = [
    # Codes are uppercase URLs (QR alphanumeric mode); some scanners lower-case them.
    re_path(r"^[Cc]/(?P<token>[^/]{1,2048})/?$", views.public_scan_view, name="scan"),
    # The login code (一码通行) is an uppercase URL too: /L/<32 hex digits>.
    re_path(r"^[Ll]/(?P<key>[0-9A-Fa-f]{32})/?$", views.login_code_short_view, name="login"),
    path(".well-known/zqt-ecode/keys.json", views.key_set_view, name="key_set"),
    path(".well-known/zqt-ecode/trust-list.json", views.trust_list_view, name="trust_list"),
    path(".well-known/zqt-ecode/status-list.json", views.status_list_view, name="status_list"),
]
