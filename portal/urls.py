from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from coverage.api.urls import api as coverage_api
from policies.api import job_api, policy_api
from portal import account_views, converters, metrics, views
from portal.forms import LoginForm

# Imported for its side effect: <pid:…> is registered before any app's URLs load.
assert converters.PublicIdConverter.regex

# A lost database connection answers 503 with Retry-After (portal/views.py).
handler500 = "portal.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=LoginForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Second factor (portal.two_factor) and password reset by e-mail (Django's views).
    path(
        "account/two-factor/",
        account_views.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "account/two-factor/verify/",
        account_views.two_factor_verify,
        name="two_factor_verify",
    ),
    path(
        "account/password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "account/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("healthz", views.healthz, name="healthz"),
    # Prometheus, for a scraper holding DJANGO_METRICS_TOKEN (404 while it is unset).
    path("metrics", metrics.metrics_view, name="metrics"),
    path("settings/", views.settings_page, name="settings"),
    path("admin/", admin.site.urls),
    path("api/v1/", coverage_api.urls),
    path("job/v1/", job_api.urls),
    path("policy/v1/", policy_api.urls),
    path("underwriting/", include("policies.urls")),
    path("", include("coverage.urls")),
]
