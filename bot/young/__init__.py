"""The young person's features: each a flow (in `flows/`) and what it needs from the bot."""
