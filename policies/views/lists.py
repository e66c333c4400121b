"""The policy and transaction lists: search and filters, paged, a fixed number of
queries per page whatever the row count."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from policies.access import underwriter_required
from policies.forms import PolicyFilterForm, TransactionFilterForm
from policies.selectors.search import filter_policies, filter_transactions
from portal.htmx import render_page
from portal.http import PortalRequest

PAGE_SIZE = 25


@underwriter_required
@require_GET
def policy_list(request: PortalRequest) -> HttpResponse:
    form = PolicyFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    policies = (
        filter_policies(data)
        .select_related("platform", "contractor", "product")
        .order_by("expires_at" if data.get("expiring") else "-pk")
    )
    page = Paginator(policies, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "now": timezone.now()}
    return render_page(request, "policies/policy_list.html", context, partial="results")


@underwriter_required
@require_GET
def transaction_list(request: PortalRequest) -> HttpResponse:
    form = TransactionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    transactions = (
        filter_transactions(data)
        .select_related("platform", "contractor", "product", "policy")
        .order_by("-pk")
    )
    page = Paginator(transactions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "policies/transaction_list.html",
        {"form": form, "page": page},
        partial="results",
    )
