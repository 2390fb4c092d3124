"""`.env.example` documents every setting, with values that load (and no real secret)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app.config import Settings, load_settings

EXAMPLE = Path(__file__).parent.parent / ".env.example"


def test_every_setting_is_in_the_example_and_nothing_else():
    names = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(), re.MULTILINE))
    assert names == {name.upper() for name in Settings.model_fields}


def test_the_example_loads_with_neutral_defaults(monkeypatch):
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = load_settings(_env_file=EXAMPLE)
    assert (settings.bot_display_name, settings.retention_months,
            settings.safeguarding_retention_years, settings.safeguarding_end) == (
        "Sky Chat", 12, 25, "anonymise")
    assert "replace-with" in settings.telegram_bot_token.get_secret_value()
