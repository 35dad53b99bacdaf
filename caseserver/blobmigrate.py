"""`caseserver blobs migrate` and `caseserver blobs verify`: moving a photo store into object
storage while the servers keep running, and proving nothing was lost.

Copying goes object by object: originals are hashed on the way (an original whose bytes
do not match its name is reported and not copied), upload parts and public copies are
copied as they are. What the target already holds is listed once and skipped, so a run
cut short continues where it stopped, and a second run after the servers switched over
copies only what arrived meanwhile (docs/deploy.md gives the order of the steps).

Verifying checks the database against a store: every photo the `blobs` table knows is
there, and its bytes hash to its name.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from sqlalchemy import select

from caseserver.blobstore import BlobMissing, BlobStore, StoreUnavailable, blob_key
from caseserver.db import Database
from caseserver.models import Blob

#: Objects copied at once (each a read, a hash and a put).
COPIERS = 8
#: What is copied: originals, the parts of unfinished uploads, and public copies.
PREFIXES = ("blobs/", "uploads/", "public/")


@dataclass
class CopyReport:
    copied: int = 0
    bytes_copied: int = 0
    already_there: int = 0
    damaged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.copied} objects copied ({self.bytes_copied / 1e6:.1f} MB), "
            f"{self.already_there} already there"
        )
        if self.damaged:
            names = ", ".join(self.damaged)
            text += f", {len(self.damaged)} originals damaged at the source (not copied): {names}"
        if self.failed:
            text += f", {len(self.failed)} not copied (run again): {', '.join(self.failed[:5])}"
        return text


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.damaged

    def line(self) -> str:
        text = f"{self.checked} photos checked: {self.checked - len(self.missing) - len(self.damaged)} whole"
        if self.missing:
            text += f", {len(self.missing)} missing: {', '.join(self.missing[:5])}"
        if self.damaged:
            text += f", {len(self.damaged)} damaged: {', '.join(self.damaged[:5])}"
        return text


def copy_store(
    source: BlobStore, target: BlobStore, progress: Callable[[int], None] | None = None
) -> CopyReport:
    """Copy every object the target lacks from `source`; StoreUnavailable when a listing fails."""
    report = CopyReport()
    there = {key for prefix in PREFIXES for key in target.keys(prefix)}
    listed = [key for prefix in PREFIXES for key in source.keys(prefix)]
    todo = [key for key in listed if key not in there]
    report.already_there = len(listed) - len(todo)

    def copy(key: str) -> tuple[str, int | str]:
        try:
            data = source.get(key)
        except BlobMissing:
            return key, 0  # gone since the listing: an upload finished or was swept
        except StoreUnavailable:
            return key, "failed"
        name = key.rsplit("/", 1)[-1]
        if key.startswith("blobs/") and hashlib.sha256(data).hexdigest() != name:
            return key, "damaged"
        try:
            target.put(key, data)
        except StoreUnavailable:
            return key, "failed"
        return key, len(data)

    with ThreadPoolExecutor(COPIERS, thread_name_prefix="blob-copy") as pool:
        for done, (key, outcome) in enumerate(pool.map(copy, todo), start=1):
            if outcome == "damaged":
                report.damaged.append(key.rsplit("/", 1)[-1])
            elif outcome == "failed":
                report.failed.append(key)
            elif isinstance(outcome, int) and outcome:
                report.copied += 1
                report.bytes_copied += outcome
            if progress is not None:
                progress(done)
    return report


def verify_store(database: Database, store: BlobStore) -> VerifyReport:
    """Every photo the database knows is in `store` with bytes that hash to its name."""
    with database.read() as session:
        shas = list(session.scalars(select(Blob.sha256).order_by(Blob.sha256)))
    report = VerifyReport(checked=len(shas))

    def check(sha256: str) -> tuple[str, str | None]:
        try:
            data = store.get(blob_key(sha256))
        except BlobMissing:
            return sha256, "missing"
        return sha256, None if hashlib.sha256(data).hexdigest() == sha256 else "damaged"

    with ThreadPoolExecutor(COPIERS, thread_name_prefix="blob-verify") as pool:
        for sha256, problem in pool.map(check, shas):
            if problem == "missing":
                report.missing.append(sha256)
            elif problem == "damaged":
                report.damaged.append(sha256)
    return report
