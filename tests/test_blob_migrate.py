"""`caseserver blobs migrate`: a photo folder moved into object storage while devices keep uploading.

Real processes throughout: the case server on its folder, the command, a real S3 server
(moto's), then a case server on the bucket.
"""

from __future__ import annotations

from pathlib import Path
from subprocess import CompletedProcess

import requests
from conftest import BACKENDS
from photohelpers import (
    PhotoServer,
    auth,
    blob,
    head_offset,
    jpeg_with_gps,
    photo_server,
    recorded_uploader,
    sha256,
    uploader,
)
from s3server import S3Server
from serverproc import run_caseserver, start_server

from caseserver.blobstore import blob_key


def _upload(photos: PhotoServer, folder: Path, seed: int, stop_at: int | None = None) -> tuple[bytes, object]:
    data = jpeg_with_gps(seed=seed)
    path = folder / f"{seed}.jpg"
    path.write_bytes(data)
    up = recorded_uploader(photos, photos.server.token("aino"), path, chunk_size=30_000)
    up.upload(stop_at=stop_at)
    return data, up


def _migrate(photos: PhotoServer, target: dict[str, str], to: str | None = None) -> CompletedProcess[str]:
    """`caseserver blobs migrate` from the server's folder into the bucket of `target` (or `to`)."""
    settings = {**photos.env, **{k: v for k, v in target.items() if k != "CASESERVER_BLOB_URL"}}
    where = to or target["CASESERVER_BLOB_URL"]
    return run_caseserver(photos.server.database_url, "blobs", "migrate", "--to", where, **settings)


def test_a_folder_moves_into_a_bucket_without_stopping_and_a_second_run_copies_what_came_meanwhile(
    s3: S3Server, tmp_path: Path
) -> None:
    bucket = s3.new_bucket()
    target = s3.env(bucket)
    with photo_server(BACKENDS[-1], tmp_path) as photos:
        token = photos.server.token("aino")
        stored = [_upload(photos, tmp_path, seed)[0] for seed in (1, 2, 3)]
        _, unfinished = _upload(photos, tmp_path, 4, stop_at=30_000)
        first = _migrate(photos, target)
        assert first.returncode == 0, first.stderr
        assert "4 objects copied" in first.stdout and "0 already there" in first.stdout  # 3 photos, 1 part
        assert "3 photos checked: 3 whole" in first.stdout
        for data in stored:
            assert s3.read(bucket, f"photos/{blob_key(sha256(data))}") == data

        meanwhile = _upload(photos, tmp_path, 5)[0]  # the folder's server still takes photos
        (tmp_path / "s3").mkdir()
        on_bucket = start_server(
            photos.server.database_url, tmp_path / "s3", seed=False, **{**photos.env, **target}
        )
        try:
            photos.server.stop()  # every process now on the bucket
            second = _migrate(photos, target)
            assert second.returncode == 0, second.stderr
            assert "1 objects copied" in second.stdout and "4 already there" in second.stdout
            assert "4 photos checked: 4 whole" in second.stdout
            for data in [*stored, meanwhile]:
                assert blob(on_bucket.url, token, sha256(data)).status_code == 200
            # The upload begun on the folder's server goes on from where it was.
            resumed = uploader(on_bucket.url, token, Path(unfinished.file_path), chunk_size=30_000)
            resumed.set_url(on_bucket.url + unfinished.url.split(photos.url, 1)[1])
            resumed.offset = resumed.get_offset()
            assert resumed.offset == 30_000
            resumed.upload()
            assert int(head_offset(resumed.url, token).headers["Upload-Offset"]) == resumed.get_file_size()
            verified = run_caseserver(
                photos.server.database_url, "blobs", "verify", **{**photos.env, **target}
            )
            assert verified.returncode == 0 and "5 photos checked: 5 whole" in verified.stdout, (
                verified.stdout
            )
        finally:
            on_bucket.stop()


def test_a_damaged_original_is_named_and_not_copied_and_bad_targets_are_one_line(
    s3: S3Server, tmp_path: Path
) -> None:
    bucket = s3.new_bucket()
    target = s3.env(bucket)
    with photo_server(BACKENDS[-1], tmp_path) as photos:
        good, _ = _upload(photos, tmp_path, 11)
        bad, _ = _upload(photos, tmp_path, 12)
        (photos.blob_dir / blob_key(sha256(bad))).write_bytes(b"\0" * len(bad))  # the disk lost it
        done = _migrate(photos, target)
        assert done.returncode == 2
        assert f"1 originals damaged at the source (not copied): {sha256(bad)}" in done.stdout
        assert f"1 missing: {sha256(bad)}" in done.stdout
        assert done.stderr.strip() == "caseserver: the store is not whole yet: see above"
        assert s3.keys(bucket, "photos/blobs/") == [f"photos/{blob_key(sha256(good))}"]

        for wrong, says in (
            ("/srv/photos", "--to must be s3://bucket[/prefix]"),
            ("s3://", "CASESERVER_BLOB_URL must be s3://bucket[/prefix]"),
            ("s3://no-such-bucket/photos", "s3://no-such-bucket/photos/: the object store takes no writes"),
        ):
            refused = _migrate(photos, target, to=wrong)
            assert refused.returncode == 2, refused
            assert refused.stderr.count("\n") == 1 and says in refused.stderr, refused.stderr
            assert "Traceback" not in refused.stderr
        r = requests.get(
            f"{photos.url}/api/v1/blobs/{sha256(good)}", headers=auth(photos.server.token("aino")), timeout=30
        )
        assert r.status_code == 200  # the server on the folder served on throughout
