from __future__ import annotations

from django.urls import path

from coverage.views import apply, certificates

app_name = "coverage"

urlpatterns = [
    # The contractor's hosted application page: no login, the token is the key.
    path("apply/<str:token>/", apply.apply, name="apply"),
    path("apply/<str:token>/opt-in", apply.apply_opt_in, name="apply_opt_in"),
    # Certificates: public by their unguessable number (printed on the PDF)...
    path(
        "certificates/<str:number>/",
        certificates.certificate_verify,
        name="certificate_verify",
    ),
    path(
        "certificates/<str:number>/pdf",
        certificates.certificate_pdf,
        name="certificate_pdf",
    ),
    # ...and for signed-in users of the certificate's platform.
    path(
        "portal/certificates/<str:number>.pdf",
        certificates.certificate_download,
        name="certificate_download",
    ),
]
