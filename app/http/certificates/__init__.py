"""HTTP API of retirement certificates: the signed JSON and its PDF, the public
verification, the platform's template and organizations' custom fields."""
