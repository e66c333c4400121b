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

from coverage.models import Assignment, CategoryCode, Contractor

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


_OPTIONS = _ENGINE.from_string(
    '{% for r in rows %}<li role="option" data-value="{{ r.0 }}">{{ r.1 }} {{ r.2 }}'
    "<span>{{ r.3 }}</span></li>{% endfor %}"
)
_FORM = _ENGINE.from_string(
    '<!doctype html><html><head><title>New ticket</title></head><body><form method="post">'
    '{% for name in fields %}<label for="{{ name }}">{{ name }}</label>'
    '<input id="{{ name }}" name="{{ name }}">{% endfor %}<select name="trade">'
    '{% for r in trades %}<option value="{{ r.0 }}">{{ r.1 }}</option>{% endfor %}'
    "</select><button>Dispatch</button></form></body></html>"
)
_FORM_FIELDS = [
    "tech",
    "customer",
    "job",
    "crew",
    "job_name",
    "site_line1",
    "site_city",
    "site_state",
    "site_postalcode",
    "wage",
    "wage_type",
    "starts_at",
    "ends_at",
    "lines",
]


def search_rows(request: HttpRequest) -> HttpResponse:
    """A picker's search at the least: one SELECT of 20 names and a list of options."""
    term = request.GET.get("q", "")
    rows = (
        Contractor.objects.filter(last_name__icontains=term)
        .order_by("last_name", "first_name")
        .values_list("public_id", "first_name", "last_name", "email")[:20]
    )
    return HttpResponse(_OPTIONS.render(Context({"rows": list(rows)})))


def form_page(request: HttpRequest) -> HttpResponse:
    """The new-ticket page at the least: a plain form and the one list it shows (trades)."""
    trades = list(
        CategoryCode.objects.order_by("name").values_list("public_id", "name")
    )
    return HttpResponse(
        _FORM.render(Context({"fields": _FORM_FIELDS, "trades": trades}))
    )


def list_rows(request: HttpRequest) -> JsonResponse:
    """An API list at the least: one indexed SELECT of 100 rows and a JSON array of
    the columns an assignment's JSON has at the top level."""
    rows = Assignment.objects.order_by("-pk").values(
        "public_id",
        "contractor_id",
        "job_id",
        "policy_id",
        "bind",
        "lines",
        "created_at",
        "effective_at",
        "end_at",
        "net_rate",
        "eligible",
        "eligibility_message",
        "own_cover",
        "rating",
        "premium",
        "pay",
        "actual_pay",
        "cancelled_at",
        "cancellation_reason",
    )[: int(request.GET.get("limit", "100"))]
    return JsonResponse({"data": list(rows)})


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
