"""Lines of business: the one vocabulary both the contractor side and policy
administration use. It sits below both apps' models so neither imports the other for it."""

from __future__ import annotations

from django.db import models


class CoverageType(models.TextChoices):
    """Lines of coverage, spelled as the contractor API spells them."""

    GENERAL = "general", "General liability"
    WORKERS_COMP = "workers-comp", "Workers' compensation"
    PROFESSIONAL = "professional", "Professional liability"
    MEDIA = "media", "Media liability"
    CYBER = "cyber", "Cyber liability"
