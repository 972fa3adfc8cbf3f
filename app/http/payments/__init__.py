"""HTTP API of payments: paying orders, provider webhooks, payments, refunds, receipts,
and the embedded sandbox's 3-D Secure page."""
