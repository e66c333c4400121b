"""/api/v1: wire-compatible with the public contractor-insurance API (and its ten99policy SDK).

One module per resource adds its operations to ``coverage.api.site.api``; ``coverage.api.urls``
imports them all; ``wire`` and ``serializers`` hold the wire spelling services also use.
"""
