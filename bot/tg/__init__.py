"""The Telegram adapter: python-telegram-bot wiring, kept at the edge of the system."""
