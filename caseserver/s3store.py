"""The blob store in an S3-compatible object store (AWS S3, MinIO, Ceph, Garage…), with boto3.

Chosen by `CASESERVER_BLOB_URL=s3://bucket/prefix`; the endpoint, region and credentials
come from boto3's usual settings (`AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, a profile or an instance role; `AWS_MAX_ATTEMPTS` and
`AWS_RETRY_MODE` for retries). Every key of
caseserver.blobstore lives under the prefix.

A `put` sends the bytes with their Content-MD5 (the store refuses bytes that do not match
it) and checks the ETag of the answer against the same MD5 where the store gives one
(plain objects' ETags are their MD5; encrypted ones' are not), so a photo is confirmed
to a device only once the store has acknowledged exactly its bytes.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from caseserver.blobstore import BlobMissing, BlobStore, StoreUnavailable

_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_MD5_ETAG = 32


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, prefix: str = "", client: Any | None = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.location = f"s3://{bucket}/{self.prefix}"
        self.client = client or boto3.session.Session().client(
            "s3",
            config=Config(
                max_pool_connections=64,
                # boto3's own settings decide, else 4 attempts with standard backoff.
                retries={
                    "mode": os.environ.get("AWS_RETRY_MODE", "standard"),  # type: ignore[typeddict-item]
                    "max_attempts": int(os.environ.get("AWS_MAX_ATTEMPTS", "4")),
                },
                connect_timeout=5,
                read_timeout=30,
                # Checksums only where the operation needs one: not every S3-compatible store
                # knows the newer ones; puts carry Content-MD5, which every store checks.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        """A store for `s3://bucket[/prefix]`; ValueError for any other address."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"CASESERVER_BLOB_URL must be s3://bucket[/prefix], not {url!r}")
        return cls(parts.netloc, parts.path)

    def _key(self, key: str) -> str:
        return self.prefix + key

    def get(self, key: str) -> bytes:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            return answer["Body"].read()
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                raise BlobMissing(key) from exc
            raise StoreUnavailable(f"{self.location}{key}: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"{self.location}{key}: {exc}") from exc

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _code(exc) in _NOT_FOUND:
                return False
            raise StoreUnavailable(f"{self.location}{key}: {_code(exc)}") from exc
        except BotoCoreError as exc:
            raise StoreUnavailable(f"{self.location}{key}: {exc}") from exc
        return True

    def put(self, key: str, data: bytes) -> None:
        digest = hashlib.md5(data, usedforsecurity=False)
        try:
            answer = self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(key),
                Body=data,
                ContentMD5=base64.b64encode(digest.digest()).decode(),
            )
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"{self.location}{key}: {_code(exc)}") from exc
        etag = str(answer.get("ETag", "")).strip('"')
        if len(etag) == _MD5_ETAG and "-" not in etag and etag != digest.hexdigest():
            raise StoreUnavailable(f"{self.location}{key}: the store kept other bytes (ETag {etag})")

    def delete_prefix(self, prefix: str) -> int:
        removed = 0
        batch: list[dict[str, str]] = []
        try:
            for key in self._listed(prefix):
                batch.append({"Key": key})
                if len(batch) == 1000:
                    removed += self._delete(batch)
                    batch = []
            if batch:
                removed += self._delete(batch)
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"{self.location}{prefix}: {_code(exc)}") from exc
        return removed

    def _delete(self, batch: list[dict[str, str]]) -> int:
        self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        return len(batch)

    def keys(self, prefix: str) -> Iterator[str]:
        try:
            for key in self._listed(prefix):
                yield key[len(self.prefix) :]
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable(f"{self.location}{prefix}: {_code(exc)}") from exc

    def _listed(self, prefix: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._key(prefix)
        )
        for page in pages:
            for item in page.get("Contents", ()):
                yield item["Key"]

    def probe(self) -> str | None:
        key = f"incoming/.ready-{uuid.uuid4().hex}"
        try:
            self.put(key, b"ready")
            if self.get(key) != b"ready":
                return "the object store gave back other bytes"
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except (StoreUnavailable, BlobMissing, ClientError, BotoCoreError) as exc:
            return f"the object store takes no writes: {exc}"
        return None


def _code(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", "error"))
    return type(exc).__name__
