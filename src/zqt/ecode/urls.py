from django.urls import URLPattern, URLResolver

app_name = "ecode"

urlpatterns: list[URLPattern | URLResolver] = []
