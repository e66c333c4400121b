from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from coverage.api.urls import api as coverage_api
from policies.api import job_api, policy_api
from portal import converters, views
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
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", coverage_api.urls),
    path("job/v1/", job_api.urls),
    path("policy/v1/", policy_api.urls),
    path("underwriting/", include("policies.urls")),
    path("", include("coverage.urls")),
]
