from __future__ import annotations

from django.urls import path

from coverage import views

app_name = "coverage"

urlpatterns = [
    # The contractor's hosted application page: no login, the token is the key.
    path("apply/<str:token>/", views.apply, name="apply"),
    path("apply/<str:token>/opt-in", views.apply_opt_in, name="apply_opt_in"),
]
