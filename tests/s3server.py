"""A real S3-compatible server process for the object-store tests: moto's server.

moto installs from PyPI with the test dependencies, starts in about a second, and speaks
S3's HTTP API (objects, listings, ranges, multipart, batch deletes) on a localhost port
of its own: the case server talks to it with boto3 exactly as it would to AWS S3 or MinIO.
Each test gets its own bucket; the process lives for the test session of one worker.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import requests
from serverproc import free_port

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "fieldapp-test",
    "AWS_SECRET_ACCESS_KEY": "fieldapp-test-secret",
    "AWS_DEFAULT_REGION": "eu-north-1",
}


class S3Server:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        program = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
        self.log = (folder / f"moto-{self.port}.log").open("ab")
        self.process = subprocess.Popen(
            [program, "-H", "127.0.0.1", "-p", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{self.url}/moto-api/", timeout=2)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the S3 server did not start (log: {self.log.name})") from None
                time.sleep(0.1)
        self.client: Any = boto3.client("s3", endpoint_url=self.url, **_boto_credentials())

    def env(self, bucket: str, prefix: str = "photos") -> dict[str, str]:
        """A case server's settings for a store in `bucket`."""
        return {**CREDENTIALS, "AWS_ENDPOINT_URL": self.url, "CASESERVER_BLOB_URL": f"s3://{bucket}/{prefix}"}

    def new_bucket(self) -> str:
        name = f"photos-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": CREDENTIALS["AWS_DEFAULT_REGION"]}
        )
        return name

    def keys(self, bucket: str, prefix: str) -> list[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def read(self, bucket: str, key: str) -> bytes:
        return bytes(self.client.get_object(Bucket=bucket, Key=key)["Body"].read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


@contextmanager
def s3_server(folder: Path) -> Iterator[S3Server]:
    server = S3Server(folder)
    try:
        yield server
    finally:
        server.stop()
