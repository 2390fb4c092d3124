"""QR codes for invite and enrolment links, so a phone can show one and another can scan it."""

from __future__ import annotations

import io

import qrcode


def qr_png(text: str) -> bytes:
    """A PNG of `text` as a QR code, big enough to scan from a phone screen."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=8, border=4)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue()


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"
