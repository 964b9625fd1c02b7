"""The indices' URLs, mounted at the site's root (chengxin/urls.py): the public pages under the portal's
/public/ prefix (no login, cached), the staff pages under /indices/."""

from django.urls import path

from chengxin.indices import views

app_name = "indices"
urlpatterns = [
    path("public/indices/", views.public_list, name="public_list"),
    path("public/indices/<slug:code>/", views.public_index, name="public_index"),
    path("public/indices/<slug:code>/data.csv", views.public_csv, name="public_csv"),
    path("public/indices/<slug:code>/v<int:version>/", views.public_release, name="public_release"),
    path("indices/", views.mine, name="mine"),
    path("indices/new/", views.index_new, name="new"),
    path("indices/template.xlsx", views.template_download, {"kind": "xlsx"}, name="template_xlsx"),
    path("indices/template.csv", views.template_download, {"kind": "csv"}, name="template_csv"),
    path("indices/moderate/", views.moderate, name="moderate"),
    path("indices/uploads/<uuid:job_id>/", views.preview, name="preview"),  # an upload waiting, as an import job
    path("indices/releases/<int:pk>/", views.release, name="release"),
    path("indices/releases/<int:pk>/submit/", views.release_submit, name="release_submit"),
    path("indices/releases/<int:pk>/delete/", views.release_delete, name="release_delete"),
    path("indices/releases/<int:pk>/decide/", views.release_decide, name="release_decide"),
    # Index codes never take the names above (services.RESERVED_CODES).
    path("indices/<slug:code>/", views.manage, name="manage"),
    path("indices/<slug:code>/edit/", views.index_edit, name="edit"),
]
