from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from tests.portal.plumbing_api import cloud_api, ten99_api

urlpatterns = [
    path("plumbing/ten99/", ten99_api.urls),
    path("plumbing/cloud/", cloud_api.urls),
    *portal_urlpatterns,
]
