from django.urls import URLPattern, URLResolver, path

from zqt.ecode import views

app_name = "ecode"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home_view, name="home"),
    path("issue/", views.issue_view, name="issue"),
    path("static.svg", views.static_svg_view, name="static_svg"),
    path("static.png", views.static_png_view, name="static_png"),
    path("poster.pdf", views.poster_view, name="poster"),
    path("consents/", views.consent_grant_view, name="consent_grant"),
    path("consents/<int:consent_id>/revoke/", views.consent_revoke_view, name="consent_revoke"),
    path("inspect/", views.inspect_view, name="inspect"),
    path("desk/", views.desk_view, name="desk"),
    path("stats/", views.stats_view, name="stats"),
    path("login/", views.login_view, name="login"),
    path("login/poll/", views.login_poll_view, name="login_poll"),
    path("login/approve/<str:key>/", views.login_approve_view, name="login_approve"),
]
