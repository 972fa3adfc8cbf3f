"""`BlobStore` on S3 or an S3-compatible server (MinIO, moto_server) with boto3.

Credentials come from the environment the way boto3 finds them (`AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, profiles, instance roles); `endpoint_url` points at a
non-AWS server.

`put_stream` sends a stream of unknown length as a multipart upload of 8 MiB parts (S3
wants at least 5 MiB for every part but the last), one part held at a time, aborted on
any error; a stream shorter than one part is a single `PutObject`. `get_stream` reads
the body in 64 KiB chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

_MISSING_KEY_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_MISSING_BUCKET_CODES = frozenset({"NoSuchBucket", "404", "NotFound"})
PART_BYTES = 8 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_CONTENT_TYPE = "application/octet-stream"


def make_s3_client(
    *,
    endpoint_url: str | None = None,
    region: str = "us-east-1",
    timeout: float = 30,
    max_attempts: int = 3,
) -> Any:
    """A boto3 S3 client; path-style addressing when talking to a custom endpoint."""
    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": max_attempts, "mode": "standard"},
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3BlobStore:
    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.region = region
        self._client = client or make_s3_client(endpoint_url=endpoint_url, region=region)

    def put(self, key: str, data: bytes) -> str:
        self._client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=_CONTENT_TYPE)
        return key

    def put_stream(self, key: str, chunks: Iterable[bytes]) -> str:
        source = iter(chunks)
        part = _next_part(source)
        if len(part) < PART_BYTES:
            return self.put(key, bytes(part))
        upload = self._client.create_multipart_upload(
            Bucket=self.bucket, Key=key, ContentType=_CONTENT_TYPE
        )["UploadId"]
        done: list[dict[str, Any]] = []
        try:
            while part:
                number = len(done) + 1
                answer = self._client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload,
                    PartNumber=number,
                    Body=bytes(part),
                )
                done.append({"PartNumber": number, "ETag": answer["ETag"]})
                part = _next_part(source)
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done}
            )
        except BaseException:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            raise
        return key

    def get(self, locator: str) -> bytes:
        body = self._body(locator)
        try:
            return bytes(body.read())
        finally:
            body.close()

    def get_stream(self, locator: str) -> Iterator[bytes]:
        return _iter_body(self._body(locator))

    def _body(self, locator: str) -> Any:
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=locator)
        except ClientError as exc:
            if _error_code(exc) in _MISSING_KEY_CODES:
                raise KeyError(locator) from None
            raise
        return response["Body"]

    def delete(self, locator: str) -> None:
        # S3 answers 204 for a missing key too.
        self._client.delete_object(Bucket=self.bucket, Key=locator)

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (safe to call at every start)."""
        try:
            self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if _error_code(exc) not in _MISSING_BUCKET_CODES:
                raise
        kwargs: dict[str, Any] = {"Bucket": self.bucket}
        if self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self._client.create_bucket(**kwargs)
        except ClientError as exc:
            # Another process may have created it in between.
            if _error_code(exc) not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                raise


def _next_part(source: Iterator[bytes]) -> bytearray:
    """Up to one part's worth of bytes from `source` (a part may overshoot by a chunk)."""
    part = bytearray()
    while len(part) < PART_BYTES:
        chunk = next(source, None)
        if chunk is None:
            break
        part += chunk
    return part


def _iter_body(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(_CHUNK_BYTES)
    finally:
        body.close()


class S3Probe:
    """Readiness check: the bucket answers `HeadBucket` with our credentials.

    Its own client fails fast (short timeouts, one attempt) unless one is given."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        timeout: float = 3,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self._client = client or make_s3_client(
            endpoint_url=endpoint_url, region=region, timeout=timeout, max_attempts=1
        )

    def check(self) -> None:
        self._client.head_bucket(Bucket=self.bucket)
