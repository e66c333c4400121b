from __future__ import annotations

from django.urls import include, path

from coverage.views import (
    apply,
    board,
    certificates,
    contractors,
    customers,
    hosted_upload,
    own_certificates,
    payment_setup,
    pickers,
    premium,
    premium_collections,
    ticket_new,
    tickets,
    uploaded_certificates,
)

ticket_urls = [
    path("", tickets.ticket_detail, name="ticket_detail"),
    path("cancel", tickets.ticket_cancel, name="ticket_cancel"),
    path("extend", tickets.ticket_extend, name="ticket_extend"),
    path("wage/preview", tickets.ticket_wage_preview, name="ticket_wage_preview"),
    path("wage", tickets.ticket_wage, name="ticket_wage"),
    path("opt-in", tickets.ticket_opt_in, name="ticket_opt_in"),
    path("recheck", tickets.ticket_recheck, name="ticket_recheck"),
]

app_name = "coverage"

urlpatterns = [
    # The contractor's hosted application page: no login, the token is the key.
    path("apply/<str:token>/", apply.apply, name="apply"),
    # The tech's own certificate, from the signed link their dispatcher sent.
    path("upload/<str:token>/", hosted_upload.hosted_upload, name="hosted_upload"),
    path("apply/<str:token>/opt-in", apply.apply_opt_in, name="apply_opt_in"),
    path("apply/<str:token>/card", apply.apply_card, name="apply_card"),
    # A payment session's hosted card page: single use, the token is the key.
    path(
        "payment/setup/<str:token>/",
        payment_setup.payment_setup,
        name="payment_setup",
    ),
    path(
        "payment/setup/<str:token>/card",
        payment_setup.payment_setup_card,
        name="payment_setup_card",
    ),
    path(
        "payment/setup/<str:token>/cancel",
        payment_setup.payment_setup_cancel,
        name="payment_setup_cancel",
    ),
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
    # The dispatcher's portal.
    path("board/", board.board, name="board"),
    path("tickets/new/", ticket_new.ticket_new, name="ticket_new"),
    path("tickets/new/preview", ticket_new.ticket_preview, name="ticket_preview"),
    # The forms' search-as-you-type pickers (portal.pickers).
    path("pickers/techs/", pickers.pick_tech, name="pick_tech"),
    path("pickers/customers/", pickers.pick_customer, name="pick_customer"),
    path("pickers/jobs/", pickers.pick_job, name="pick_job"),
    path("tickets/<pid:public_id>/", include(ticket_urls)),
    path("premium/", premium.premium, name="premium"),
    path("premium/ledger.csv", premium.premium_csv, name="premium_csv"),
    path(
        "premium/collections/",
        premium_collections.premium_collections,
        name="premium_collections",
    ),
    path("customers/", customers.customer_list, name="customer_list"),
    path(
        "customers/<pid:public_id>/",
        customers.customer_contract,
        name="customer_contract",
    ),
    path("techs/", contractors.contractor_list, name="contractor_list"),
    path(
        "techs/<pid:public_id>/",
        contractors.contractor_detail,
        name="contractor_detail",
    ),
    # A tech's own certificates (bring-your-own), and the dispatcher's upload.
    path(
        "techs/<pid:public_id>/certificates/",
        own_certificates.own_certificates,
        name="own_certificates",
    ),
    path(
        "techs/<pid:public_id>/certificates/upload",
        own_certificates.own_certificate_upload,
        name="own_certificate_upload",
    ),
    # Underwriters: techs' own certificates the review flagged.
    path(
        "underwriting/certificates/",
        uploaded_certificates.certificate_queue,
        name="certificate_queue",
    ),
    path(
        "underwriting/certificates/<pid:certificate_id>/",
        uploaded_certificates.certificate_review,
        name="certificate_review",
    ),
    path(
        "underwriting/certificates/<pid:certificate_id>/decide",
        uploaded_certificates.certificate_decide,
        name="certificate_decide",
    ),
]
