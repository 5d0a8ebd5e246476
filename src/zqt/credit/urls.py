from django.urls import URLPattern, URLResolver, path

from zqt.credit import views

app_name = "credit"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("recompute/", views.recompute, name="recompute"),
    path("e/<str:uscc>/", views.enterprise, name="enterprise"),
    path("mine/", views.mine, name="mine"),
    path("repairs/", views.repairs, name="repairs"),
    path("warnings/", views.warnings, name="warnings"),
    path("intermediaries/", views.intermediaries, name="intermediaries"),
    path("agent/", views.agent_home, name="agent_home"),
]
