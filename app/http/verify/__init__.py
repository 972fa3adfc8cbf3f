"""The public verification page of retirement certificates (HTML, outside the API)."""
