"""A local S3 server for the tests: moto in server mode on 127.0.0.1, real HTTP.

django-storages and boto3 talk to it exactly as to a bucket elsewhere (signed
requests, ACLs, content types, versions); each test makes its own bucket.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
# What the web and worker processes get in their environment (boto3 reads it), as a
# deployment's hosts would: credentials are never part of DJANGO_STORAGE_OPTIONS.
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-key-id",
    "AWS_SECRET_ACCESS_KEY": "test-secret-key",
}


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self) -> str:
        """A fresh private bucket with versioning on, so every write stays countable."""
        name = f"coi-{uuid.uuid4().hex[:16]}"
        client = self.client()
        client.create_bucket(Bucket=name)
        client.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": "Enabled"}
        )
        return name

    def options(self, bucket: str) -> dict[str, str]:
        """DJANGO_STORAGE_OPTIONS for ``bucket`` (credentials come from the environment)."""
        return {
            "bucket_name": bucket,
            "endpoint_url": self.endpoint,
            "region_name": REGION,
        }

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def versions(self, bucket: str) -> tuple[list[dict], list[dict]]:
        """Every object version ever written, and every delete marker."""
        listed = self.client().list_object_versions(Bucket=bucket)
        return listed.get("Versions", []), listed.get("DeleteMarkers", [])

    def body(self, bucket: str, key: str) -> bytes:
        return self.client().get_object(Bucket=bucket, Key=key)["Body"].read()


@dataclass(frozen=True)
class Bucket:
    server: S3Server
    name: str

    def keys(self) -> list[str]:
        return self.server.keys(self.name)

    def body(self, key: str) -> bytes:
        return self.server.body(self.name, key)

    def head(self, key: str) -> dict[str, Any]:
        return self.server.client().head_object(Bucket=self.name, Key=key)

    def grants(self, key: str) -> list[tuple[str, str]]:
        acl = self.server.client().get_object_acl(Bucket=self.name, Key=key)
        return [(g["Grantee"]["Type"], g["Permission"]) for g in acl["Grants"]]


@contextmanager
def s3_server() -> Iterator[S3Server]:
    # One log line per S3 request would bury the tests' own output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Server(endpoint=f"http://{host}:{port}")
    finally:
        server.stop()
