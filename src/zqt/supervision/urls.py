from django.urls import URLPattern, URLResolver, path

from zqt.supervision import views

app_name = "supervision"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("draws/new/", views.draw_commit, name="draw_commit"),
    path("draws/<str:number>/", views.draw_detail, name="draw"),
    path("draws/<str:number>/execute/", views.draw_execute, name="draw_execute"),
    path("public/", views.public_list, name="public"),
    path("public/<str:number>/", views.public_draw, name="public_draw"),
    path("public/<str:number>/population.txt", views.public_population, name="public_population"),
    path("inspect/", views.inspect_find, name="inspect"),
    path("inspect/<str:uscc>/", views.inspect_enterprise, name="inspect_enterprise"),
    path("items/", views.items, name="items"),
    path("joint/", views.joint, name="joint"),
]
