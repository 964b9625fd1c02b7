from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from chengxin.reporting.views import home
from chengxin.units.views import SignInView

admin.site.site_header = "诚信兴商宣传月活动管理平台 · 系统管理"
admin.site.site_title = "诚信兴商宣传月"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The owner's one-time link after a reset by the security administrator (chengxin.units.services).
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # Two-factor sign-in and the security administrator's pages (chengxin.units).
    path("accounts/", include("chengxin.units.urls")),
    path("campaigns/", include("chengxin.campaigns.urls")),
    path("campaigns/", include("chengxin.reporting.urls")),
    path("campaigns/", include("chengxin.analytics.urls")),
    path("campaigns/", include("chengxin.workbooks.urls")),
    path("notices/", include("chengxin.notifications.urls")),
    path("campaigns/", include("chengxin.activities.urls")),
    path("commitments/", include("chengxin.commitments.urls")),
    path("public/", include("chengxin.portal.urls")),
    # Integrity indices: public pages under /public/indices/, staff pages under /indices/ (one URL module).
    path("", include("chengxin.indices.urls")),
    path("api/v1/", include("chengxin.api.urls")),
    path("audit/", include("chengxin.audit.urls")),
    path("search/", include("chengxin.textsearch.urls")),
    path("publications/", include("chengxin.publications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),  # the signing form's picture and spoken checks
    path("favicon.ico", lambda request: redirect(static("chengxin/favicon.svg"), permanent=True), name="favicon"),
]
