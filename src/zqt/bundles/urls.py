from django.urls import URLPattern, URLResolver, path

from zqt.bundles import views

app_name = "bundles"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.browse, name="browse"),
    path("recommend/", views.recommend, name="recommend"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/supplement/", views.supplement, name="supplement"),
    path("cases/<str:number>/resume/", views.resume, name="resume"),
    path("tasks/<int:task_id>/", views.task_action, name="task_action"),
    path("commitments/<int:verification_id>/", views.verify, name="verify"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/apply/", views.apply, name="apply"),
    path("<str:code>/manage/", views.manage, name="manage"),
]
