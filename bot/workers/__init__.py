"""What workers do through the bot: one module per feature, each declaring its `FEATURE`
(listed in `bot/app/catalogue.py`)."""
