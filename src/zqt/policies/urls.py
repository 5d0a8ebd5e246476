from django.urls import URLPattern, URLResolver, path

from zqt.policies import views

app_name = "policies"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.library, name="library"),
    path("new/", views.policy_create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:policy_id>/", views.match, name="match"),
    path("mine/<int:policy_id>/action/", views.match_action, name="match_action"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<int:application_id>/", views.review_decide, name="review_decide"),
    path("objections/<int:objection_id>/", views.objection_decide, name="objection_decide"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("rules/<int:version_id>/decide/", views.rule_decide, name="rule_decide"),
    path("<int:policy_id>/", views.detail, name="detail"),
    path("<int:policy_id>/edit/", views.policy_edit, name="edit"),
    path("<int:policy_id>/rules/", views.rule_submit, name="rule_submit"),
    path("<int:policy_id>/status/", views.policy_status, name="status"),
    path("<int:policy_id>/run/", views.run, name="run"),
    path("<int:policy_id>/near-miss/", views.near_miss, name="near_miss"),
    path("<int:policy_id>/batches/", views.batch_action, name="batch_action"),
]
