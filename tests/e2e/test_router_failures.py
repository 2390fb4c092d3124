"""A router that raises still gets a reply out (the sorry message), so end-to-end tests watch
the log: "router failed" fails any test not marked ``router_may_fail``."""

from __future__ import annotations

import pytest

SORRY = "Sorry, something went wrong on my side."


@pytest.mark.router_may_fail
async def test_a_router_that_raises_on_every_text_is_caught_though_the_bot_replies(
        stack, monkeypatch, no_router_failures):
    sam = stack.person(2007)
    real = stack.router.handle

    async def broken(who, event, **kwargs):
        if event.kind == "text":
            raise RuntimeError("the router is broken")
        return await real(who, event, **kwargs)

    monkeypatch.setattr(stack.router, "handle", broken)
    replies = await sam.send("x" * 4096)
    assert replies and replies[0].startswith(SORRY)  # a reply: it looks like a working bot
    assert no_router_failures.records  # but the fixture saw it, and would fail the test
    assert no_router_failures.summary().startswith("the router failed ")
    assert no_router_failures.summary().endswith("RuntimeError")
