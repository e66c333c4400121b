"""The portal's settings for the served benchmarks (tests/perf/served.py): the bare
app's URLs beside the portal's, and the production task backend (the render task is
a row written with the dispatch)."""

from portal import queues
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tests.perf.bench_urls"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": list(queues.ALL),
    }
}
