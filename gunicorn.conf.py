"""gunicorn's settings, read by `gunicorn wsgi:app` from the working directory.

Threaded workers (`gthread`): a request waiting on I/O, above all a `GET /market/stream`
held open for up to its `max_seconds`, takes one thread, not a whole worker process, so a
few open streams never starve the API. `GUNICORN_THREADS` sets the threads per worker;
`-w/--workers` the processes (each one's streams see every change through Redis)."""

import os

worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
