"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

import click

from app.main.app_factory import create_app
from app.main.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One line naming the setting and a non-zero exit (`flask` prints "Error: ..."; gunicorn
    # stops booting), not a traceback.
    raise click.ClickException(str(exc)) from None
