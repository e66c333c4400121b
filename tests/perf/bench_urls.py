from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from tests.perf import bare

urlpatterns = [
    path("bare/board-rows", bare.board_rows),
    path("bare/insert", bare.insert_one),
    *portal_urlpatterns,
]
