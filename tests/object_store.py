"""An S3-compatible object store on loopback for the tests: moto's server, a real HTTP
endpoint that django-storages and boto3 talk to as they would to any store."""

import uuid
from dataclasses import dataclass

import pytest

BUCKET = "inventera-test"
REGION = "eu-north-1"


@dataclass(frozen=True)
class ObjectStore:
    endpoint_url: str
    bucket: str = BUCKET
    region: str = REGION
    access_key: str = "inventera-test"
    secret_key: str = "inventera-test-secret"

    def environment(self) -> dict[str, str]:
        """The settings of config/settings/base.py that choose this store."""
        return {
            "STORAGE_S3_BUCKET": self.bucket,
            "STORAGE_S3_ENDPOINT_URL": self.endpoint_url,
            "STORAGE_S3_REGION": self.region,
            "STORAGE_S3_ACCESS_KEY": self.access_key,
            "STORAGE_S3_SECRET_KEY": self.secret_key,
        }

    def storages(self, storages: dict) -> dict:
        """`storages` (settings.STORAGES) with the default storage in this store."""
        return {
            **storages,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": self.bucket,
                    "endpoint_url": self.endpoint_url,
                    "region_name": self.region,
                    "access_key": self.access_key,
                    "secret_key": self.secret_key,
                    "file_overwrite": False,
                    "default_acl": "private",
                },
            },
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        )

    def keys(self) -> list[str]:
        found = self.client().list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return sorted(item["Key"] for item in found)


@pytest.fixture
def object_store():
    """A fresh bucket in a store running for this test."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        # moto keeps its buckets in the process: a name of this test's own.
        store = ObjectStore(
            endpoint_url=f"http://{host}:{port}", bucket=f"{BUCKET}-{uuid.uuid4().hex[:12]}"
        )
        store.client().create_bucket(
            Bucket=store.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield store
    finally:
        server.stop()
