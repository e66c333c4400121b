from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns
from tests.perf import bare

urlpatterns = [
    path("bare/board-rows", bare.board_rows),
    path("bare/insert", bare.insert_one),
    path("bare/list-rows", bare.list_rows),
    path("bare/search-rows", bare.search_rows),
    path("bare/form-page", bare.form_page),
    *portal_urlpatterns,
]
