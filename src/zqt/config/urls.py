from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from zqt.config.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("zqt.core.urls")),
    path("accounts/", include("zqt.accounts.urls")),
    path("enterprises/", include("zqt.enterprises.urls")),
    path("space/", include("zqt.enterprises.urls_portal")),
    path("code/", include("zqt.ecode.urls")),
    path("catalog/", include("zqt.catalog.urls")),
    path("bundles/", include("zqt.bundles.urls")),
    path("appeals/", include("zqt.appeals.urls")),
    path("policies/", include("zqt.policies.urls")),
    path("supervision/", include("zqt.supervision.urls")),
    path("credit/", include("zqt.credit.urls")),
    path("notifications/", include("zqt.notifications.urls")),
    path("audit/", include("zqt.audit.urls")),
    path("api/v1/", api.urls),
    path("", include("zqt.ecode.urls_root")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
