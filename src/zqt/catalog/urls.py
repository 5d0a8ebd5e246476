from django.urls import URLPattern, URLResolver, path

from zqt.catalog import views

app_name = "catalog"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.browse, name="browse"),
    path("item/<str:code>/", views.item_detail, name="item"),
    path("manage/", views.manage, name="manage"),
    path("manage/export/", views.export, name="export"),
    path("manage/import/", views.import_view, name="import"),
]
