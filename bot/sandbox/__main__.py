"""``python -m bot.sandbox``: run the fake Telegram server and demo page stand-alone."""

from bot.sandbox.fake_telegram import main

main()
