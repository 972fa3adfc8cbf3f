"""Tables of notifications. The unique keys are what makes an event told twice, or a
job run twice, notify and send once: one notification per (dedup key, trigger, user),
one delivery per (dedup key, trigger, user, channel), a digest's being its day's."""

from __future__ import annotations

import sqlalchemy as sa

from app.adapters.sql.tables import metadata
from app.adapters.sql.types import Json, UtcDateTime

CHANNELS = "'email', 'in_app', 'sms', 'push'"
STATUSES = "'pending', 'held', 'digested', 'sent', 'failed', 'cancelled'"

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("trigger", sa.String(40), nullable=False),
    sa.Column("dedup_key", sa.String(200), nullable=False),
    sa.Column("title", sa.String(300), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.String(2000), nullable=True),
    sa.Column("data", Json, nullable=False),
    sa.Column("in_app", sa.Boolean, nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("read_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("dedup_key", "trigger", "user_id", name="uq_notifications_once"),
    sa.Index("ix_notifications_user_created", "user_id", "created_at"),
)

notification_deliveries = sa.Table(
    "notification_deliveries",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column(
        "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("trigger", sa.String(40), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("dedup_key", sa.String(200), nullable=False),
    sa.Column(
        "notification_id",
        sa.String(32),
        sa.ForeignKey("notifications.id", ondelete="CASCADE"),
        nullable=True,
        index=True,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", UtcDateTime, nullable=True),
    sa.Column("failed_at", UtcDateTime, nullable=True),
    sa.Column(
        "digest_id",
        sa.String(32),
        sa.ForeignKey("notification_deliveries.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    ),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint(
        "dedup_key", "trigger", "user_id", "channel", name="uq_notification_deliveries_once"
    ),
    sa.CheckConstraint(f"channel IN ({CHANNELS})", name="channel_known"),
    sa.CheckConstraint(f"status IN ({STATUSES})", name="status_known"),
    sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    sa.Index("ix_notification_deliveries_due", "status", "next_attempt_at"),
    sa.Index("ix_notification_deliveries_user_status", "user_id", "status"),
)

notification_preferences = sa.Table(
    "notification_preferences",
    metadata,
    sa.Column(
        "user_id", sa.String(32), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("trigger", sa.String(40), primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("frequency", sa.String(16), nullable=False),
    sa.CheckConstraint(f"channel IN ({CHANNELS})", name="channel_known"),
    sa.CheckConstraint(
        "frequency = 'immediate' OR (frequency = 'daily' AND channel = 'email')",
        name="daily_is_email",
    ),
)
