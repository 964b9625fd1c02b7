from django.urls import path

from chengxin.activities import views

app_name = "activities"
urlpatterns = [
    path("<int:year>/activities/", views.activity_list, name="list"),
    path("<int:year>/activities/new/", views.activity_create, name="create"),
    path("<int:year>/activities/plan/<int:number>/", views.lead_body_view, name="plan"),
    path("<int:year>/activities/<int:pk>/", views.activity_detail, name="detail"),
    path("<int:year>/activities/<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:year>/activities/<int:pk>/publish/", views.activity_publish, name="publish"),
    path("<int:year>/activities/<int:pk>/withdraw/", views.activity_withdraw, name="withdraw"),
    path("<int:year>/activities/<int:pk>/delete/", views.activity_delete, name="delete"),
    path("<int:year>/activities/<int:pk>/photos/", views.photo_add, name="photo_add"),
    path("<int:year>/activities/<int:pk>/photos/<int:photo_pk>/", views.photo_file, name="photo"),
    path("<int:year>/activities/<int:pk>/epidemic-plan/", views.plan_file, name="plan_file"),
]
