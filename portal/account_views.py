"""Account pages: the second factor (set up, verify) and the lockout page's view.

Thin: the rules live in portal.two_factor; the forms only parse the code.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import user_has_device

from portal import two_factor
from portal.forms import CodeForm
from portal.http import PortalRequest


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_setup(request: PortalRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), enter a code."""
    user = request.user
    already_on = user_has_device(user, confirmed=True)
    if already_on and not request.user.is_verified():  # type: ignore[attr-defined]
        # Adding a second app is for a session that proved the first one.
        query = urlencode({"next": request.path})
        return redirect(f"{reverse('two_factor_verify')}?{query}")
    device = two_factor.pending_device(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = two_factor.confirm_device(
            request=request, device=device, token=form.cleaned_data["code"]
        )
        if not refused:
            return redirect(two_factor.safe_next(request))
        form.add_error("code", refused)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "already_on": already_on,
            "required": two_factor.required_by_role(user=user),
            "secret": two_factor.secret_of(device),
            "qr": two_factor.qr_data_uri(device),
            "next": two_factor.safe_next(request, default=""),
        },
    )


@never_cache
@sensitive_post_parameters("code")
@login_required
def two_factor_verify(request: PortalRequest) -> HttpResponse:
    """Enter the authenticator's current code to finish signing in."""
    if not user_has_device(request.user, confirmed=True):
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = two_factor.verify(
            request=request, user=request.user, token=form.cleaned_data["code"]
        )
        if not refused:
            return redirect(two_factor.safe_next(request))
        form.add_error("code", refused)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": two_factor.safe_next(request, default="")},
    )
