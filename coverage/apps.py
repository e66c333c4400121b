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
        # A webhook attempt cut off by a dead worker is due again at once.
        from coverage.receivers import release_webhook_claim
        from portal.workers import task_recovered

        task_recovered.connect(
            release_webhook_claim, dispatch_uid="coverage.release_webhook_claim"
        )
        # The backlog gauges a /metrics scrape reads (webhooks, certificate renders).
        from coverage.metrics import backlog_gauges
        from portal.metrics import register_gauges

        register_gauges("coverage.backlog", backlog_gauges)
