from django.urls import path

from zqt.enterprises import views

app_name = "space"
urlpatterns = [
    path("", views.space_home_view, name="home"),
]
