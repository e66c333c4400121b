from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal: platforms, users and API keys"

    def ready(self) -> None:
        # Connects the user_logged_in receiver that records whether the session
        # owes a second factor (before any request, so force_login sees it too).
        from portal import storage_checks, two_factor  # noqa: F401
