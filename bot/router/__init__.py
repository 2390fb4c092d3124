"""The router: one update's path from the Telegram adapter to the replies (`pipeline`), the
safety gate first (`safety_step`), then a young person's side (`young_person`, over their
`flow_stack`) or the worker side (`worker_side`)."""

from bot.router.pipeline import ConversationRouter, Identity

__all__ = ["ConversationRouter", "Identity"]
