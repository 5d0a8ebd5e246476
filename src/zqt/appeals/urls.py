from django.urls import URLPattern, URLResolver, path

from zqt.appeals import views

app_name = "appeals"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.submit, name="submit"),
    path("workbench/", views.workbench, name="workbench"),
    path("report/", views.report, name="report"),
    path("calendar/", views.calendar, name="calendar"),
    path("<int:appeal_id>/", views.detail, name="detail"),
    path("<int:appeal_id>/act/<slug:action>/", views.act, name="act"),
]
