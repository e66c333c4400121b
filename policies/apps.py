from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policy administration"

    def ready(self) -> None:
        # Portal's own records (platforms, API keys, users) go into the same audit
        # history through portal's hook; portal imports no app.
        from policies.services.audit import PortalRecorder
        from portal import audit

        audit.set_recorder(PortalRecorder())
