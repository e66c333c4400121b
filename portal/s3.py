"""Certificate PDFs and uploads in a private S3-compatible bucket, for several hosts.

``DJANGO_STORAGE_BACKEND=s3`` selects :class:`PrivateS3Storage` (``portal/settings.py``);
``DJANGO_STORAGE_OPTIONS`` (JSON) names the bucket and, off AWS, the endpoint, e.g.
``{"bucket_name": "coi", "endpoint_url": "https://s3.example.net", "region_name": "eu-1"}``.
Credentials come from boto3's usual chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY`` in the environment, or the host's instance role), never
from the options.

Nothing stored here is ever public. Every object is written with a private ACL
(``bucket-owner-full-control`` instead, for an AWS bucket with ACLs disabled, which
refuses every other ACL), and the portal never hands out a bucket URL: the views that
check who may read a file stream it from the bucket (``coverage/api/certificates.py``,
``coverage/views/certificates.py``, ``coverage/api/uploaded_certificates.py``). A
presigned redirect would save the web host a copy of a ~30 KB PDF, but the URL would
be a bearer token valid for its whole lifetime — past a revocation (the PDF's VOID
banner), in browser history, proxies and referrers — and the bucket would need a
public endpoint and CORS. ``url()`` stays presigned and short-lived for anything
generic that asks (Django's own file widgets); the product does not use it.

Options that would make files public are refused when the storage is made (at the
first file, and by ``manage.py check --deploy``): a public ACL, unsigned URLs, a
custom domain (django-storages' URLs for it carry no signature).
"""

from __future__ import annotations

import tempfile
from typing import Any

from botocore.exceptions import ClientError
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from s3transfer.constants import ALLOWED_DOWNLOAD_ARGS
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# "private": the writer (the bucket's owner) alone. "bucket-owner-full-control": the
# only ACL an AWS bucket whose Object Ownership is "bucket owner enforced" (ACLs
# disabled, AWS's default) accepts besides none; there it changes nothing.
PRIVATE_ACLS = ("private", "bucket-owner-full-control")
PRESIGNED_SECONDS = 60
# A download is read into memory up to this size (certificates are ~30 KB, uploads at
# most 15 MB), past it into a temporary file that goes with the request.
SPOOL_BYTES = 1024 * 1024


def refusals(options: dict[str, Any]) -> list[str]:
    """What in these (resolved) options would store or expose a file publicly."""
    problems = []
    if not options.get("bucket_name"):
        problems.append('name the bucket: DJANGO_STORAGE_OPTIONS={"bucket_name": "…"}')
    acl = options.get("default_acl")
    if acl not in PRIVATE_ACLS:
        problems.append(
            f"default_acl {acl!r} is not private (use one of {', '.join(PRIVATE_ACLS)})"
        )
    object_acl = (options.get("object_parameters") or {}).get("ACL")
    if object_acl is not None and object_acl not in PRIVATE_ACLS:
        problems.append(f"object_parameters ACL {object_acl!r} is not private")
    if not options.get("querystring_auth"):
        problems.append("querystring_auth must stay on (unsigned URLs are public)")
    if options.get("custom_domain"):
        problems.append("custom_domain makes unsigned public URLs")
    return problems


class PrivateS3Storage(S3Storage):
    """django-storages' S3 backend with private defaults that cannot be turned public."""

    def get_default_settings(self) -> dict[str, Any]:
        return {
            **super().get_default_settings(),
            "default_acl": "private",
            # Names are random already (a certificate's number and a token); never
            # replace an object that a row points at, even on a clash.
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": PRESIGNED_SECONDS,
        }

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        problems = refusals(
            {name: getattr(self, name, None) for name in self.get_default_settings()}
        )
        if problems:
            raise ImproperlyConfigured(
                "DJANGO_STORAGE_BACKEND=s3: " + "; ".join(problems) + "."
            )

    def _open(self, name: str, mode: str = "rb") -> File:
        """A read is one GET (django-storages' S3File makes a HEAD, then s3transfer
        another HEAD and the GET: three round trips per download)."""
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        params = {
            k: v
            for k, v in self.get_object_parameters(key).items()
            if k in ALLOWED_DOWNLOAD_ARGS
        }
        try:
            found = self.connection.meta.client.get_object(
                Bucket=self.bucket_name, Key=key, **params
            )
        except ClientError as err:
            if err.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {key}") from err
            raise
        # Handed to the caller inside the File, which closes it.
        buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        for chunk in found["Body"].iter_chunks(64 * 1024):
            buffer.write(chunk)
        buffer.seek(0)
        return File(buffer, name=name)
