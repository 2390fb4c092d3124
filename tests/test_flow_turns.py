"""A flow reuses its machine's model between updates: no update may see another's turn."""

from __future__ import annotations

from flows.base import Event, Profile
from flows.menu import MenuFlow


def profile(nickname: str) -> Profile:
    return Profile(nickname=nickname, age_band="14-17", has_worker=False, modules={})


def test_one_outcome_is_untouched_by_the_next_turn(content):
    menu = MenuFlow(content)
    first = menu.start(profile("Sky"))
    second = menu.handle("menu", {"kept": 1}, Event.button("menu:about"), profile("Jo"))

    assert first.state == "menu"
    assert [r.text for r in first.replies] == [content.text("menu.title", nickname="Sky")]
    assert first.context == {}
    assert second.state == "about"
    assert second.context == {"kept": 1}
    assert second.replies and second.replies is not first.replies
    assert "Sky" not in " ".join(r.text for r in second.replies)


def test_a_refused_trigger_leaves_the_next_turn_clean(content):
    menu = MenuFlow(content)
    refused = menu.handle("menu", {}, Event.button("menu:open:no-such-module"), profile("Sky"))
    after = menu.handle("menu", {}, Event.button("menu:about"), profile("Sky"))

    assert not refused.understood
    assert refused.replies == [] and refused.effects == []
    assert after.understood and after.state == "about"
    assert after.effects == [] and after.goto is None
