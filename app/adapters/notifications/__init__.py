"""Outgoing email adapters: the log mailer (embedded default) and SMTP."""
