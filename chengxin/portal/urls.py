from django.urls import path

from chengxin.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.newest, name="home"),
    path("<int:year>/", views.campaign_page, name="campaign"),
    path("<int:year>/logo.png", views.logo_download, {"kind": "png"}, name="logo_png"),
    path("<int:year>/logo.svg", views.logo_download, {"kind": "svg"}, name="logo_svg"),
    path("<int:year>/logo/", views.logo_admin, name="logo_admin"),
    path("credit/", views.credit_page, name="credit"),
    path("cases/", views.case_list, name="cases"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/photos/", views.case_photo_add, name="case_photo_add"),
    path("cases/<int:pk>/photos/<int:photo_pk>/", views.case_photo, name="case_photo"),
    path("cases/<int:pk>/photos/<int:photo_pk>/remove/", views.case_photo_remove, name="case_photo_remove"),
    path("cases/mine/", views.case_mine, name="case_mine"),
    path("cases/moderate/", views.case_moderate, name="case_moderate"),
    path("cases/<int:pk>/decide/", views.case_decide, name="case_decide"),
]
