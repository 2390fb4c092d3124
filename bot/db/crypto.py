"""Encryption at rest for sensitive fields (case notes, safety plans, alert excerpts, relay
messages, nicknames), with key rotation.

Keys come from ENCRYPTION_KEYS: one or more Fernet keys separated by commas, newest first. New
values are encrypted with the first; any listed key can decrypt, so rotating is: put the new key
first, run `rise-bot admin rotate-key`, then drop the old one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import String, Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1:"


def write_private(path: Path, data: bytes) -> None:
    """Write a secret (a key, an enrolment link's QR code) to a file only its owner can read:
    created 0600, never readable by others even for a moment, and made 0600 if it was not."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)


class KeyMissing(RuntimeError):
    """Sensitive data can't be written or read without a key."""


class _Keyring:
    def __init__(self) -> None:
        self._fernet: MultiFernet | None = None
        self.primary: bytes | None = None

    def configure(self, keys: str | list[str]) -> None:
        items = [k.strip() for k in (keys.split(",") if isinstance(keys, str) else keys)
                 if k.strip()]
        if not items:
            raise KeyMissing("no encryption key given")
        try:
            fernets = [Fernet(k.encode()) for k in items]
        except (ValueError, TypeError) as error:
            raise KeyMissing("ENCRYPTION_KEYS must be Fernet keys "
                             "(make one with `rise-bot admin new-key`)") from error
        self._fernet = MultiFernet(fernets)
        self.primary = items[0].encode()

    @property
    def configured(self) -> bool:
        return self._fernet is not None

    def fernet(self) -> MultiFernet:
        if self._fernet is None:
            raise KeyMissing("no encryption key configured: set ENCRYPTION_KEYS")
        return self._fernet


keyring = _Keyring()


def new_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(plain: str) -> str:
    return PREFIX + keyring.fernet().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was switched on
    try:
        return keyring.fernet().decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise KeyMissing("stored data was encrypted with a key that is not configured") from error


def rotate(stored: str) -> str:
    """Re-encrypt with the newest key."""
    return encrypt(decrypt(stored))


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted; reads give back the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else decrypt(value)


class EncryptedShortText(EncryptedText):
    """For short values (nicknames): same, stored in a VARCHAR big enough for the ciphertext."""

    impl = String(255)
    cache_ok = True


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document stored encrypted (safety plans, alert context)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else encrypt(json.dumps(value, ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(decrypt(value))
