from django.urls import path

from zqt.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.audit_search, name="search"),
]
