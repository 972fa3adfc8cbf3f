"""Object storage adapters implementing `app.ports.storage.BlobStore`: a local directory,
S3 (boto3, also MinIO and other S3-compatible servers) and IPFS (Kubo HTTP RPC API).

They store bytes as given; documents are sealed by the envelope cipher before they get here."""
