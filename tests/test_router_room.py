"""The router as a room: it refuses to start without a safety gate."""

import pytest

from bot.app.catalogue import registry
from bot.features.registry import Kit
from bot.router import ConversationRouter


def test_a_router_without_a_safety_gate_is_an_error(db, content, clock):
    with pytest.raises(ValueError, match="safety gate"):
        ConversationRouter(db, registry(Kit(content, clock)), safety=None, clock=clock)
