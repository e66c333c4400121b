"""The bare-Django baseline the benchmarks divide by, served in the same run.

What each request shape needs at the least, written the plain way: for the board,
one indexed SELECT of the day's rows and a template of N plain rows (the same
columns a dispatcher reads); for the write path, one INSERT and a JSON reply. Mounted
next to the portal's URLs (``tests.perf.bench_urls``) and fetched through the same
client, so a ratio compares like with like on a machine shared with other work.
"""

from __future__ import annotations

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import Context, Engine
from django.views.decorators.csrf import csrf_exempt

from coverage.models import Assignment

_ENGINE = Engine(debug=False)
_ROWS = _ENGINE.from_string(
    '<table><tbody>{% for r in rows %}<tr><td><a href="/tickets/{{ r.0 }}/">{{ r.1 }}'
    "</a></td><td>{{ r.2 }} {{ r.3 }}</td><td>{{ r.4 }}</td><td>{{ r.5 }}</td>"
    "<td>{{ r.6 }}</td><td>{{ r.7 }}</td></tr>{% endfor %}</tbody></table>"
)


def board_rows(request: HttpRequest) -> HttpResponse:
    size = int(request.GET.get("n", "100"))
    rows = list(
        Assignment.objects.order_by("effective_at", "pk").values_list(
            "public_id",
            "effective_at",
            "contractor__first_name",
            "contractor__last_name",
            "job__entity__name",
            "job__address_region",
            "eligibility_message",
            "premium",
        )[:size]
    )
    return HttpResponse(_ROWS.render(Context({"rows": rows})))


@csrf_exempt  # a JSON API call, as /api/v1 is (served, the CSRF check would refuse it)
def insert_one(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body or b"{}")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_bare (name) VALUES (%s) RETURNING id",
            [str(body.get("name", ""))],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"id": row_id}, status=201)
