"""Offline sandbox: a fake Telegram Bot API server the real PTB application talks to."""

from bot.sandbox.fake_telegram import FakeTelegram
from bot.sandbox.model import ChatMessage, tiny_png

__all__ = ["ChatMessage", "FakeTelegram", "tiny_png"]
