from django.urls import path

from zqt.enterprises import views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_search_view, name="search"),
    path("export/", views.enterprise_export_view, name="export"),
    path("import/", views.enterprise_import_view, name="import"),
    path("import/template/", views.enterprise_import_template_view, name="import_template"),
    path("<str:uscc>/", views.enterprise_detail_view, name="detail"),
]
