"""Settings, read only from environment variables (the README lists every one).

One file although longer than 300 lines: every setting is declared once in `Settings`,
read from its variable once in `Settings.from_env` and checked once in
`Settings.validate`; the three lists must stay in step setting by setting, and most of the
length is one line per setting in each."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.domain.shared.chain import DEFAULT_CONFIRMATIONS

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = ROOT / "instance"
# What a bare Settings() (the tests) signs with. A server started from the environment
# without SECRET_KEY uses a random key kept in DEV_SECRET_FILE; production refuses both.
TEST_SECRET_KEY = "test-only-secret-key-never-served-0123456789ab"  # noqa: S105
DEV_SECRET_FILE = INSTANCE / "secret_key"
# base64 of 32 bytes, known to all: a bare Settings() uses it, and development keeps it as
# the retired key "dev" (data encrypted under it stays readable); production refuses it.
DEV_MASTER_KEYS = "dev:ZGV2ZWxvcG1lbnQtb25seS1tYXN0ZXIta2V5LTMyYnk="
DEV_MASTER_KEY_FILE = INSTANCE / "master_key"


class ConfigError(RuntimeError):
    """The environment describes a platform that must not start."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _chain_dir(value: str | None) -> str | None:
    if value and value.strip().lower() == "memory":
        return None
    return value or str(INSTANCE / "chain")


def instance_secret(path: Path, make: Callable[[], str]) -> str:
    """A development secret made once by `make` and kept in `path` (mode 0600)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(make() + "\n")
        try:
            os.link(draft, path)  # atomic; keeps the key another process made first
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _secret_key(env: Mapping[str, str], production: bool) -> str:
    if "SECRET_KEY" in env:
        return env["SECRET_KEY"]
    if production:
        return ""  # refused by validate()
    return instance_secret(DEV_SECRET_FILE, lambda: secrets.token_urlsafe(48))


def _master_keys(env: Mapping[str, str], production: bool) -> str:
    if "MASTER_KEYS" in env:
        return env["MASTER_KEYS"]
    if production:
        return DEV_MASTER_KEYS  # refused by validate()
    made = instance_secret(
        DEV_MASTER_KEY_FILE, lambda: base64.b64encode(secrets.token_bytes(32)).decode()
    )
    return f"local:{made},{DEV_MASTER_KEYS}"


@dataclass(frozen=True)
class Settings:
    app_env: str = "development"
    database_url: str = f"sqlite:///{INSTANCE / 'platform.db'}"
    redis_url: str | None = None
    public_base_url: str = "http://127.0.0.1:5000"
    secret_key: str = TEST_SECRET_KEY
    log_format: str = "text"
    log_level: str = "INFO"
    bootstrap_admin_email: str | None = None
    bootstrap_admin_password: str | None = None
    max_upload_mb: int = 50
    ratelimit_default: str = "300 per minute"
    ratelimit_enabled: bool = True
    outbox_poll_seconds: float = 2.0
    db_pool_size: int = 10
    dramatiq_namespace: str = "carbon"
    trusted_proxy_hops: int = 0
    access_token_minutes: int = 15
    chain_id: int = 31337
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Carbon platform <no-reply@localhost>"
    auth_ratelimit_ip: str = "20 per minute"
    auth_ratelimit_account: str = "10 per 15 minutes"
    login_free_failures: int = 5
    login_account_free_failures: int = 50
    login_backoff_max_seconds: int = 900
    password_hash_fast: bool = False
    storage_backend: str = "local"
    storage_dir: str = str(INSTANCE / "storage")
    master_keys: str = DEV_MASTER_KEYS
    master_key_id: str | None = None
    s3_bucket: str = "carbon-documents"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    ipfs_api_url: str = "http://127.0.0.1:5001"
    chain_backend: str = "embedded"
    # The embedded chain's folder; None keeps it in memory (what a bare Settings() gives
    # tests). From the environment: EMBEDDED_CHAIN_DIR, default instance/chain, "memory".
    embedded_chain_dir: str | None = None
    chain_rpc_url: str | None = None
    operator_private_key: str | None = None
    chain_registry_address: str | None = None
    chain_governance_address: str | None = None
    chain_start_block: int = 0
    chain_confirmations: int = DEFAULT_CONFIRMATIONS
    chain_receipt_seconds: float = 120.0
    indexer_poll_seconds: float = 2.0
    indexer_reorg_window: int = 64
    poai_signing_key: str | None = None
    poai_signing_key_id: str | None = None
    poai_retired_public_keys: str = ""
    fx_rates_file: str | None = None
    fx_eth_eur: str | None = None  # euros per ETH; unset: the built-in demo price
    market_quote_ttl_seconds: int = 900
    market_payment_ttl_seconds: int = 86_400
    market_expiry_poll_seconds: float = 30.0
    certificates_poll_seconds: float = 5.0
    schedules_poll_seconds: float = 30.0
    payments_backend: str = "sandbox"
    # Comma-separated: every one is accepted on webhooks (a rotation), the first one signs.
    payments_sandbox_webhook_secret: str = "whsec_sandbox_development"  # noqa: S105
    # Where the sandbox posts its events; empty: through this process's own application.
    payments_sandbox_webhook_url: str | None = None
    # The account bank transfers are paid to (demo values; unset all three: no transfers).
    payments_bank_beneficiary: str = "Carbon Platform Demo Ltd"
    payments_bank_iban: str = "DE89370400440532013000"
    payments_bank_bic: str = "COBADEFFXXX"
    # PAYMENTS_BACKEND=stripe: the secret key, the webhook secrets (comma-separated during
    # a rotation), another API address than Stripe's (a local peer), the 3-D Secure return.
    stripe_api_key: str | None = None
    stripe_webhook_secrets: str = ""
    stripe_api_base: str | None = None
    stripe_timeout_seconds: float = 10.0
    payments_return_url: str | None = None

    payments_crypto_ttl_seconds: int = 3600
    payments_crypto_poll_seconds: float = 15.0
    # SMS and push webhooks (each off unless its URL is set; its secret signs the body).
    notify_sms_webhook_url: str | None = None
    notify_sms_webhook_secret: str = ""
    notify_push_webhook_url: str | None = None
    notify_push_webhook_secret: str = ""
    notify_poll_seconds: float = 30.0  # retries of failed deliveries, daily digests
    notify_digest_hour: int = 8  # the users' local hour after which digests go out
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        app_env = env.get("APP_ENV", "development")
        return cls(
            app_env=app_env,
            database_url=env.get("DATABASE_URL") or cls.database_url,
            redis_url=env.get("REDIS_URL") or None,
            public_base_url=env.get("PUBLIC_BASE_URL", cls.public_base_url).rstrip("/"),
            secret_key=_secret_key(env, app_env == "production"),
            log_format=env.get("LOG_FORMAT", "json" if app_env == "production" else "text"),
            log_level=env.get("LOG_LEVEL", "INFO").upper(),
            bootstrap_admin_email=env.get("BOOTSTRAP_ADMIN_EMAIL") or None,
            bootstrap_admin_password=env.get("BOOTSTRAP_ADMIN_PASSWORD") or None,
            max_upload_mb=int(env.get("MAX_UPLOAD_MB", "50")),
            ratelimit_default=env.get("RATELIMIT_DEFAULT", cls.ratelimit_default),
            ratelimit_enabled=_bool(env.get("RATELIMIT_ENABLED", "true")),
            outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", "2")),
            db_pool_size=int(env.get("DB_POOL_SIZE", "10")),
            dramatiq_namespace=env.get("DRAMATIQ_NAMESPACE", "carbon"),
            trusted_proxy_hops=int(env.get("TRUSTED_PROXY_HOPS", "0")),
            access_token_minutes=int(env.get("ACCESS_TOKEN_MINUTES", "15")),
            chain_id=int(env.get("CHAIN_ID", "31337")),
            smtp_host=env.get("SMTP_HOST") or None,
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_username=env.get("SMTP_USERNAME") or None,
            smtp_password=env.get("SMTP_PASSWORD") or None,
            smtp_starttls=_bool(env.get("SMTP_STARTTLS", "false")),
            mail_from=env.get("MAIL_FROM", cls.mail_from),
            auth_ratelimit_ip=env.get("AUTH_RATELIMIT_IP", cls.auth_ratelimit_ip),
            auth_ratelimit_account=env.get("AUTH_RATELIMIT_ACCOUNT", cls.auth_ratelimit_account),
            login_free_failures=int(env.get("LOGIN_FREE_FAILURES", "5")),
            login_account_free_failures=int(env.get("LOGIN_ACCOUNT_FREE_FAILURES", "50")),
            login_backoff_max_seconds=int(env.get("LOGIN_BACKOFF_MAX_SECONDS", "900")),
            storage_backend=env.get("STORAGE_BACKEND", "local"),
            storage_dir=env.get("STORAGE_DIR", cls.storage_dir),
            master_keys=_master_keys(env, app_env == "production"),
            master_key_id=env.get("MASTER_KEY_ID") or None,
            s3_bucket=env.get("S3_BUCKET", cls.s3_bucket),
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_region=env.get("S3_REGION", env.get("AWS_DEFAULT_REGION", "us-east-1")),
            ipfs_api_url=env.get("IPFS_API_URL", cls.ipfs_api_url),
            chain_backend=env.get("CHAIN_BACKEND", "embedded"),
            embedded_chain_dir=_chain_dir(env.get("EMBEDDED_CHAIN_DIR")),
            chain_rpc_url=env.get("CHAIN_RPC_URL") or None,
            operator_private_key=env.get("OPERATOR_PRIVATE_KEY") or None,
            chain_registry_address=env.get("CHAIN_REGISTRY_ADDRESS") or None,
            chain_governance_address=env.get("CHAIN_GOVERNANCE_ADDRESS") or None,
            chain_start_block=int(env.get("CHAIN_START_BLOCK", "0")),
            # The embedded chain mines a block per transaction only: no depth to wait for.
            chain_confirmations=int(
                env.get(
                    "CHAIN_CONFIRMATIONS",
                    "0" if env.get("CHAIN_BACKEND") != "rpc" else str(DEFAULT_CONFIRMATIONS),
                )
            ),
            chain_receipt_seconds=float(env.get("CHAIN_RECEIPT_SECONDS", "120")),
            indexer_poll_seconds=float(env.get("INDEXER_POLL_SECONDS", "2")),
            indexer_reorg_window=int(env.get("INDEXER_REORG_WINDOW", "64")),
            poai_signing_key=env.get("POAI_SIGNING_KEY") or None,
            poai_signing_key_id=env.get("POAI_SIGNING_KEY_ID") or None,
            poai_retired_public_keys=env.get("POAI_RETIRED_PUBLIC_KEYS", ""),
            fx_rates_file=env.get("FX_RATES_FILE") or None,
            fx_eth_eur=env.get("FX_ETH_EUR") or None,
            market_quote_ttl_seconds=int(env.get("MARKET_QUOTE_TTL_SECONDS", "900")),
            market_payment_ttl_seconds=int(env.get("MARKET_PAYMENT_TTL_SECONDS", "86400")),
            market_expiry_poll_seconds=float(env.get("MARKET_EXPIRY_POLL_SECONDS", "30")),
            certificates_poll_seconds=float(env.get("CERTIFICATES_POLL_SECONDS", "5")),
            schedules_poll_seconds=float(env.get("SCHEDULES_POLL_SECONDS", "30")),
            payments_backend=env.get("PAYMENTS_BACKEND", cls.payments_backend),
            payments_sandbox_webhook_secret=env.get(
                "PAYMENTS_SANDBOX_WEBHOOK_SECRET", cls.payments_sandbox_webhook_secret
            ),
            payments_sandbox_webhook_url=env.get("PAYMENTS_SANDBOX_WEBHOOK_URL") or None,
            payments_bank_beneficiary=env.get(
                "PAYMENTS_BANK_BENEFICIARY", cls.payments_bank_beneficiary
            ),
            payments_bank_iban=env.get("PAYMENTS_BANK_IBAN", cls.payments_bank_iban),
            payments_bank_bic=env.get("PAYMENTS_BANK_BIC", cls.payments_bank_bic),
            stripe_api_key=env.get("STRIPE_API_KEY") or None,
            stripe_webhook_secrets=env.get("STRIPE_WEBHOOK_SECRETS", ""),
            stripe_api_base=env.get("STRIPE_API_BASE") or None,
            stripe_timeout_seconds=float(env.get("STRIPE_TIMEOUT_SECONDS", "10")),
            payments_return_url=env.get("PAYMENTS_RETURN_URL") or None,
            notify_sms_webhook_url=env.get("NOTIFY_SMS_WEBHOOK_URL") or None,
            notify_sms_webhook_secret=env.get("NOTIFY_SMS_WEBHOOK_SECRET", ""),
            notify_push_webhook_url=env.get("NOTIFY_PUSH_WEBHOOK_URL") or None,
            notify_push_webhook_secret=env.get("NOTIFY_PUSH_WEBHOOK_SECRET", ""),
            notify_poll_seconds=float(env.get("NOTIFY_POLL_SECONDS", "30")),
            notify_digest_hour=int(env.get("NOTIFY_DIGEST_HOUR", "8")),
            payments_crypto_ttl_seconds=int(env.get("PAYMENTS_CRYPTO_TTL_SECONDS", "3600")),
            payments_crypto_poll_seconds=float(env.get("PAYMENTS_CRYPTO_POLL_SECONDS", "15")),
        )

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @property
    def debug_errors(self) -> bool:
        """Stack traces in 500 responses: development only."""
        return self.app_env == "development"

    def validate(self) -> Settings:
        prod = self.production
        rules = [
            (
                self.app_env not in {"development", "test", "production"},
                "APP_ENV must be development, test or production",
            ),
            (self.log_format not in {"json", "text"}, "LOG_FORMAT must be json or text"),
            (len(self.secret_key.encode()) < 32, "SECRET_KEY must be at least 32 bytes"),
            (prod and not self.secret_key, "SECRET_KEY is required in production"),
            (prod and self.secret_key == TEST_SECRET_KEY, "SECRET_KEY is the test default"),
            (
                prod and self.bootstrap_admin_password in {"admin", "password", "change-me"},
                "BOOTSTRAP_ADMIN_PASSWORD is a placeholder",
            ),
            (prod and self.master_keys == DEV_MASTER_KEYS, "MASTER_KEYS is the development key"),
            (prod and not self.poai_signing_key, "POAI_SIGNING_KEY is required in production"),
            (
                self.chain_backend == "rpc"
                and not (self.chain_rpc_url and self.operator_private_key),
                "CHAIN_BACKEND=rpc needs CHAIN_RPC_URL and OPERATOR_PRIVATE_KEY",
            ),
            (self.access_token_minutes < 1, "ACCESS_TOKEN_MINUTES must be at least 1"),
            (
                (bool(self.notify_sms_webhook_url) and not self.notify_sms_webhook_secret)
                or (bool(self.notify_push_webhook_url) and not self.notify_push_webhook_secret),
                "NOTIFY_SMS_WEBHOOK_URL and NOTIFY_PUSH_WEBHOOK_URL need their _SECRET",
            ),
            (not 0 <= self.notify_digest_hour <= 23, "NOTIFY_DIGEST_HOUR must be 0 to 23"),
            (
                self.fx_eth_eur is not None and not _positive_decimal(self.fx_eth_eur),
                "FX_ETH_EUR must be a positive decimal number",
            ),
            (
                self.payments_crypto_ttl_seconds < 60,
                "PAYMENTS_CRYPTO_TTL_SECONDS must be at least 60",
            ),
            (
                not self.payments_crypto_poll_seconds > 0,
                "PAYMENTS_CRYPTO_POLL_SECONDS must be above 0",
            ),
            (
                not self.payments_sandbox_webhook_secret.strip(" ,"),
                "PAYMENTS_SANDBOX_WEBHOOK_SECRET must hold at least one secret",
            ),
            (
                self.payments_backend == "stripe"
                and not (self.stripe_api_key and self.stripe_webhook_secrets.strip(" ,")),
                "PAYMENTS_BACKEND=stripe needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRETS",
            ),
            (
                min(self.login_free_failures, self.login_account_free_failures) < 0,
                "LOGIN_FREE_FAILURES and LOGIN_ACCOUNT_FREE_FAILURES cannot be negative",
            ),
            (
                not 1 <= self.login_backoff_max_seconds <= 86400,
                "LOGIN_BACKOFF_MAX_SECONDS must be between 1 and 86400",
            ),
            (
                self.password_hash_fast and self.app_env != "test",
                "fast password hashing is for tests only",
            ),
        ]
        problems = [message for broken, message in rules if broken]
        if problems:
            raise ConfigError("refusing to start: " + "; ".join(problems))
        return self


def _positive_decimal(text: str) -> bool:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return False
    return value.is_finite() and value > 0
