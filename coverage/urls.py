from __future__ import annotations

from django.urls import path

from coverage.views import apply

app_name = "coverage"

urlpatterns = [
    # The contractor's hosted application page: no login, the token is the key.
    path("apply/<str:token>/", apply.apply, name="apply"),
    path("apply/<str:token>/opt-in", apply.apply_opt_in, name="apply_opt_in"),
]
