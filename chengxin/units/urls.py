from django.urls import path

from chengxin.units import views

app_name = "accounts"
urlpatterns = [
    path("2fa/", views.two_factor, name="two_factor"),
    path("2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/recovery-codes/", views.two_factor_recovery, name="two_factor_recovery"),
    path("security/", views.security_accounts, name="security"),
    path("security/<int:pk>/", views.security_account, name="security_account"),
    path("security/<int:pk>/unlock/", views.security_unlock, name="security_unlock"),
    path("security/<int:pk>/reset-2fa/", views.security_reset_two_factor, name="security_reset_two_factor"),
    path("security/<int:pk>/reset-password/", views.security_reset_password, name="security_reset_password"),
    path("security/approvals/", views.security_approvals, name="security_approvals"),
    path(
        "security/approvals/<int:pk>/<str:decision>/",
        views.security_approval_decide,
        name="security_approval_decide",
    ),
]
