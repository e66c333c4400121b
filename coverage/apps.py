from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "coverage"
    verbose_name = "Contractor coverage"

    def ready(self) -> None:
        # Policy administration fires the hook; the contractor side subscribes here,
        # so policies never imports coverage.
        from coverage.receivers import follow_policy_with_certificates
        from policies.signals import policy_changed

        policy_changed.connect(
            follow_policy_with_certificates,
            dispatch_uid="coverage.follow_policy_with_certificates",
        )
