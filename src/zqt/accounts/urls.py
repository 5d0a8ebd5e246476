from django.urls import path

from zqt.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.totp_verify, name="totp_verify"),
    path("totp/setup/", views.totp_setup, name="totp_setup"),
    path("logout/", views.logout_view, name="logout"),
]
