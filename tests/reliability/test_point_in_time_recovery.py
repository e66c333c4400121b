"""Point-in-time recovery as the README describes it, on a private PostgreSQL cluster:
WAL archived, a base backup taken, the ledger destroyed after a known moment, and the
backup recovered to that moment; ``verify_ledger`` there finds everything as it was,
with the digest kept from before."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.pg_cluster import Cluster
from tests.reliability.servers import ROOT

pytestmark = pytest.mark.usefixtures("requires_postgres")


class ArchivingCluster(Cluster):
    """A cluster started with extra settings (WAL archiving for the original)."""

    def __init__(self, root: Path, data: Path | None = None, **settings: str) -> None:
        super().__init__(root)
        self.data = data or self.data
        self.settings = settings

    def start(self) -> None:
        extra = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync=off {extra}"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "start",
        )


def manage(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECURE": "0",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return done


def owned(path: Path, *, touch: bool = False) -> None:
    """A directory (or an empty file) the server's user owns."""
    if touch:
        path.touch()
    else:
        path.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def counts(output: str) -> list[str]:
    return [line for line in output.splitlines() if " entries in " in line]


@pytest.fixture
def root() -> Iterator[Path]:
    # Not under pytest's tmp_path: the clusters run as the postgres user.
    path = Path(tempfile.mkdtemp(prefix="pitr-"))
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_recovery_to_a_moment_brings_back_a_ledger_destroyed_after_it(
    root: Path,
) -> None:
    archive = root / "archive"
    original = ArchivingCluster(
        root / "original",
        archive_mode="on",
        archive_command=f"'test ! -f {archive}/%f && cp %p {archive}/%f'",
        archive_timeout="0",
    )
    recovered: ArchivingCluster | None = None
    try:
        original.init()
        owned(archive)
        url = original.create_database("pitr")
        for step in (("migrate", "--noinput", "-v0"), ("seed_demo",)):
            done = manage(url, *step)
            assert done.returncode == 0, done.stderr
        original._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(original.port),
            "-U",
            "postgres",
            "-D",
            str(root / "base"),
            "-X",
            "fetch",
            "-c",
            "fast",
        )
        # After the base backup: more premium (a checkpoint) whose WAL only the archive has.
        before = manage(url, "verify_ledger")
        assert before.returncode == 0, before.stderr
        digest = before.stdout.split("Digest: ")[1].split()[0]
        time.sleep(1.1)
        with original.connect("pitr") as db:
            (target,) = db.execute("SELECT now()::text").fetchone() or ("",)
            time.sleep(1.1)
            # The disaster: the ledger wiped after that moment.
            db.execute("TRUNCATE coverage_ledgerentry")
            (segment,) = db.execute(
                "SELECT pg_walfile_name(pg_current_wal_lsn())"
            ).fetchone() or ("",)
            db.execute("SELECT pg_switch_wal()")
            deadline = time.monotonic() + 60
            while not (archive / segment).exists():
                assert time.monotonic() < deadline, "WAL was not archived"
                time.sleep(0.2)
        assert manage(url, "verify_ledger").stdout.startswith(
            "Premium ledger: 0 entries"
        )
        original.stop("immediate")

        recovered = ArchivingCluster(
            root / "recovered",
            data=root / "base",
            restore_command=f"'cp {archive}/%f %p'",
            recovery_target_time=f"'{target}'",
            recovery_target_action="promote",
        )
        owned(root / "base" / "recovery.signal", touch=True)
        owned(recovered.root)
        recovered.start()
        with recovered.connect("pitr") as db:
            deadline = time.monotonic() + 60
            while db.execute("SELECT pg_is_in_recovery()").fetchone() == (True,):
                assert time.monotonic() < deadline, "recovery did not end"
                time.sleep(0.2)

        after = manage(
            recovered.url("pitr"), "verify_ledger", "--expect-digest", digest
        )

        assert after.returncode == 0, after.stderr
        assert counts(after.stdout) == counts(before.stdout)
        assert "The expected digest is a checkpoint's, and still holds." in after.stdout
        print(f"\nrecovered to {target}: {'; '.join(counts(after.stdout))}")
    finally:
        if recovered is not None:
            recovered.destroy()
        original.destroy()
