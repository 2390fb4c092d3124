"""/hide deletes exactly what the bot may still delete, and leaves one neutral line."""

from __future__ import annotations


async def test_hide_deletes_every_deletable_message_of_both_sides(stack, clock):
    sam = stack.person(2201)
    await sam.send("/start")
    await sam.press("Let's start")
    await sam.send("hello?")  # a message of theirs, too
    live_before = [m.message_id for m in stack.server.chat(2201) if not m.deleted]
    assert len(live_before) >= 5

    await sam.send("/hide")
    live = [m for m in stack.server.chat(2201) if not m.deleted]
    # everything is gone but the neutral line (and the /hide command itself, sent after the list
    # was read: it is deleted too, since the bot records it before handling)
    assert [m.text for m in live] == ["👍"]
    assert live[0].buttons == []


async def test_messages_older_than_48_hours_are_not_attempted(stack, clock):
    sam = stack.person(2202)
    await sam.send("/start")
    old = [m.message_id for m in stack.server.chat(2202)]
    clock.advance(hours=49)  # the message log's clock: these ids are now too old
    await sam.send("/hide")
    deleted_ids = {i for call in stack.server.calls_for("deleteMessages")
                   for i in call.params["message_ids"]}
    assert deleted_ids and not deleted_ids & set(old)


async def test_added_to_a_group_the_bot_says_so_once_and_leaves(stack):
    stack.server.add_user(2301, "Kim")
    stack.server.add_group(-500, "Class chat")
    await stack.tracker.wait_for(stack.server.add_bot_to_group(-500, 2301))
    assert stack.server.bot_texts(-500) == ["Hi! I only work in private chats, so I'll leave "
                                            "this group now."]
    assert len(stack.server.calls_for("leaveChat")) == 1
