"""What every command reaches: the platform of the app the command runs in."""

from __future__ import annotations

from flask import current_app

from app.main.platform import Platform


def current_platform() -> Platform:
    platform: Platform = current_app.extensions["platform"]
    return platform
