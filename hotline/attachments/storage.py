"""Where attachment bytes live: a folder (default) or S3-compatible storage, by configuration.

`HOTLINE_ATTACHMENTS_STORAGE=folder` (default) keeps them under `HOTLINE_ATTACHMENTS_DIR`
(default `<instance>/attachments`); `s3` puts them in `HOTLINE_S3_BUCKET` through boto3, at
`HOTLINE_S3_ENDPOINT_URL` for a non-AWS service (MinIO, Ceph, a cloud's S3-compatible store),
with credentials from boto3's usual sources (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, …).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol


class Storage(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...


class FolderStorage:
    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"attachment key outside the folder: {key!r}")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()


class S3Storage:
    def __init__(self, bucket: str, endpoint_url: str | None = None, region: str | None = None):
        import boto3  # only when configured

        self.bucket = bucket
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or "us-east-1")

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def storage_from_config(config, instance_path: str) -> Storage:
    kind = config.get("ATTACHMENTS_STORAGE") or "folder"
    if kind == "s3":
        if not config.get("S3_BUCKET"):
            raise ValueError("HOTLINE_ATTACHMENTS_STORAGE=s3 needs HOTLINE_S3_BUCKET")
        return S3Storage(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"), config.get("S3_REGION"))
    if kind != "folder":
        raise ValueError(f"HOTLINE_ATTACHMENTS_STORAGE must be folder or s3, not {kind!r}")
    return FolderStorage(config.get("ATTACHMENTS_DIR") or os.path.join(instance_path, "attachments"))
