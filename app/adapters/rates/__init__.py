"""Exchange-rate adapters: a built-in table, and a daily reference-rate file (the ECB's
`eurofxref.csv` format)."""
