"""Settings from the environment and an optional `.env` file.

Each bad value is reported as one clear sentence naming the variable, never a traceback.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///rise.db"
SUPPORTED_DRIVERS = ("sqlite+aiosqlite://", "postgresql+asyncpg://")


class ConfigError(Exception):
    """Configuration that cannot work; the message says what to set."""


class Settings(BaseSettings):
    """Everything the bot can be told from outside."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(default=None, description="From @BotFather.")
    telegram_base_url: str | None = Field(
        default=None, description="Bot API base URL; only set it to use a fake server offline.")
    database_url: str = DEFAULT_DATABASE_URL
    timezone: str = "Europe/London"
    area_contacts_file: Path | None = None
    log_level: str = "INFO"
    encryption_keys: SecretStr | None = Field(
        default=None, description="Fernet keys, newest first, comma-separated.")
    smtp_host: str | None = Field(default=None, description="Mail server for the alert e-mails.")
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "rise-bot@localhost"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    bot_username: str = Field(default="rise_demo_bot",
                              description="The bot's @username, for t.me invite links.")
    checkin_window_minutes: int = Field(default=180, ge=5, description="Unanswered: missed.")
    checkin_grace_minutes: int = Field(default=120, ge=0, description="Late after downtime.")
    missed_checkins_to_flag: int = Field(default=2, ge=1, le=10)
    # webhook mode (`rise-bot webhook`) and the clock (`rise-bot clock`)
    webhook_url: str | None = Field(
        default=None, description="Public https address of the web processes (no path).")
    webhook_secret: SecretStr | None = Field(
        default=None, description="Shared with Telegram; checked on every update.")
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8000, ge=1, le=65535)
    clock_stale_after: float = Field(default=60.0, gt=0,
                                     description="Seconds without a clock heartbeat: unhealthy.")
    deadman_url: str | None = Field(default=None, description="Pinged every minute by the clock.")
    # retention (bot/app/retention.py; `rise-bot admin purge`)
    retention_months: int = Field(default=12, ge=1, le=1200,
                                  description="Conversation and progress data, after closure.")
    safeguarding_retention_years: int = Field(default=25, ge=1, le=100,
                                              description="Alerts, notes, audit, after closure.")
    safeguarding_end: str = Field(default="anonymise",
                                  description="Then the person row is: anonymise | delete.")
    retention_processed_updates_days: int = Field(default=7, ge=1)
    retention_outbox_days: int = Field(default=30, ge=1)
    retention_jobs_days: int = Field(default=30, ge=1)
    # what a phone shows for the bot: neutral by default (set at start with setMyName and
    # setMyDescription)
    bot_display_name: str = Field(default="Sky Chat", min_length=1, max_length=64)
    bot_description: str = Field(default="A place to chat. Tap Start to begin.", max_length=512)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        token = value.get_secret_value().strip()
        head, _, tail = token.partition(":")
        if not head.isdigit() or len(tail) < 10:
            raise ValueError("does not look like a token from @BotFather (digits:letters)")
        return SecretStr(token)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise ValueError("must be 16 to 256 letters, digits, _ or - (Telegram's rule); "
                             "for example: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not re.match(r"https?://[^/]+", value):
            raise ValueError("must be an address like https://rise.example.org")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _driver(cls, value: str) -> str:
        if value.startswith("postgresql://"):
            value = "postgresql+asyncpg://" + value.removeprefix("postgresql://")
        if value.startswith("sqlite:///"):
            value = "sqlite+aiosqlite:///" + value.removeprefix("sqlite:///")
        if not value.startswith(SUPPORTED_DRIVERS):
            raise ValueError("must start with sqlite+aiosqlite:/// or postgresql+asyncpg://")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not a time zone name like Europe/London") from error
        return value

    @field_validator("area_contacts_file")
    @classmethod
    def _contacts_exist(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no file at {value}")
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("safeguarding_end")
    @classmethod
    def _end(cls, value: str) -> str:
        if value.strip().lower() not in ("anonymise", "delete"):
            raise ValueError("must be anonymise or delete")
        return value.strip().lower()

    @model_validator(mode="after")
    def _retention_order(self) -> Settings:
        if self.safeguarding_retention_years * 12 < self.retention_months:
            raise ValueError("SAFEGUARDING_RETENTION_YEARS must cover at least RETENTION_MONTHS")
        return self

    @field_validator("bot_username")
    @classmethod
    def _username(cls, value: str) -> str:
        value = value.strip().removeprefix("@")
        if not value.replace("_", "").isalnum() or not 5 <= len(value) <= 32:
            raise ValueError("must be the bot's @username from @BotFather, like rise_demo_bot")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


WEBHOOK_NEEDS = ("Webhook mode needs WEBHOOK_URL (the public https address of this service) and "
                 "WEBHOOK_SECRET (16+ letters, digits, _ or -, shared with Telegram).")


def require_webhook(settings: Settings) -> tuple[str, str]:
    """WEBHOOK_URL and WEBHOOK_SECRET, or a ConfigError saying what to set."""
    missing = [name for name, value in (("WEBHOOK_URL", settings.webhook_url),
                                        ("WEBHOOK_SECRET", settings.webhook_secret)) if not value]
    if missing:
        raise ConfigError(f"{', '.join(missing)} not set. {WEBHOOK_NEEDS}")
    assert settings.webhook_url and settings.webhook_secret
    return settings.webhook_url, settings.webhook_secret.get_secret_value()


def settings_or_exit() -> Settings:
    """Settings for a command: a bad value is one message on stderr and exit status 2."""
    try:
        return load_settings()
    except ConfigError as error:
        print(f"Configuration problem:\n{error}", file=sys.stderr)
        raise SystemExit(2) from None


def load_settings(**overrides: object) -> Settings:
    """Settings, or a ConfigError with one line per bad value."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = []
        for problem in error.errors():
            message = problem["msg"].removeprefix("Value error, ")
            if problem["loc"]:
                message = f"{str(problem['loc'][0]).upper()}: {message}"
            lines.append(message)
        raise ConfigError("\n".join(lines)) from None
