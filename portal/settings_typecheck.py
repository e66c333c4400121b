"""Settings for mypy's Django plugin only (pyproject.toml, [tool.django-stubs]).

The real settings refuse to start with debug off and no payment processor named (they
must not guess in production). Type checking loads them too, and charges nobody, so it
names the sandbox unless the environment names one.
"""

import os

os.environ.setdefault("DJANGO_PAYMENT_PROCESSOR", "sandbox")

from portal.settings import *  # noqa: E402, F403
