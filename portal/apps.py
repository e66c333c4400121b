from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: platforms, users and API keys"

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from django_tasks_db.models import DBTaskResult

        # Imported for their side effects: two_factor connects the user_logged_in
        # receiver that records whether the session owes a second factor (before any
        # request, so force_login sees it too); storage_checks registers its checks.
        from portal import storage_checks, two_factor  # noqa: F401
        from portal.request_ids import remember_enqueuing_request

        # A database task row remembers the request that enqueued it, so the
        # worker's log lines for it carry that request's id (portal.request_ids).
        pre_save.connect(
            remember_enqueuing_request,
            sender=DBTaskResult,
            dispatch_uid="portal.remember_enqueuing_request",
        )
