"""The python-telegram-bot Application: one handler that feeds every update to the router."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.db.engine import Database
from bot.router import ConversationRouter
from bot.tg.events import is_private, to_event
from bot.tg.inbox import INBOX, InboxPoller
from bot.tg.message_log import MessageLog
from bot.tg.request import AiohttpRequest
from bot.tg.retry import RETRY_LATER, RetryLater
from bot.tg.send import send_replies
from bot.tg.tracking import KeyedLocks, UpdateTracker
from flows.common import sorry_reply

log = logging.getLogger(__name__)
# set by the webhook app: button presses are answered in the webhook's own response instead
ANSWERED_BY_WEBHOOK = "callbacks_answered_by_webhook"



def commands(router: ConversationRouter) -> list[BotCommand]:
    """Telegram's command menu: the young person's commands, as their features declare them."""
    return [BotCommand(name, about) for name, about in router.registry.telegram_commands()]


async def _dispatch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route one update, after the same person's earlier updates; whatever happens, the update
    counts as handled. Different people's updates run side by side (`concurrent_updates`)."""
    services = context.application.bot_data
    tracker: UpdateTracker = services["tracker"]
    locks: KeyedLocks = services["person_locks"]
    user = update.effective_user
    try:
        async with locks.hold(user.id if user else None):
            await _handle(update, context)
    finally:
        inbox = services.get(INBOX)  # polling: the kept copy goes once handled for good
        if inbox is not None and not services[RETRY_LATER].will_retry(update.update_id):
            await inbox.done(update.update_id)
        await tracker.mark(update.update_id)


async def _handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the tap, run the router, send the replies."""
    services = context.application.bot_data
    router: ConversationRouter = services["router"]
    if update.callback_query is not None and not services.get(ANSWERED_BY_WEBHOOK):
        try:
            await update.callback_query.answer()
        except TelegramError:  # a query that is too old to answer: handle the press anyway
            log.info("callback query not answered", extra={"update_id": update.update_id})
    if not is_private(update):
        await _leave_group(update, context, router)
        return
    parsed = to_event(update)
    if parsed is None:
        return
    who, event = parsed
    message_log: MessageLog | None = services.get("message_log")
    message = update.effective_message
    incoming = [message.message_id] if message and update.callback_query is None else []
    try:
        replies = await router.handle(who, event, update_id=update.update_id)
    except Exception as error:
        log.exception("router failed", extra={"update_id": update.update_id})
        retries: RetryLater = services[RETRY_LATER]
        first_failure = retries.failed(update, context.application, error)
        if not first_failure:
            return  # they were told once already; the update is still being retried
        replies = [sorry_reply(router.content)]
    pressed = message.message_id if message and update.callback_query is not None else None
    await send_replies(context.bot, who.chat_id, replies, message_log, incoming, pressed)


async def _leave_group(update: Update, context: ContextTypes.DEFAULT_TYPE,
                       router: ConversationRouter) -> None:
    """The bot is for private chats only: say so once and leave."""
    chat = update.effective_chat
    member = update.my_chat_member
    added = member is not None and member.new_chat_member.status in ("member", "administrator")
    if chat is None or (update.message is None and not added):
        return
    try:
        await context.bot.send_message(chat.id, router.content.text("general.group"))
        await context.bot.leave_chat(chat.id)
    except TelegramError:  # already out of the group: nothing more to do
        log.info("group already left", extra={"update_id": update.update_id})


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure by type only: never message text or personal data."""
    error = context.error
    context.application.bot_data["errors"] = context.application.bot_data.get("errors", 0) + 1
    log.error("update failed", extra={"error_type": type(error).__name__,
                                      "update_id": getattr(update, "update_id", None)})


async def _post_init(application: Application) -> None:
    await application.bot.set_my_commands(commands(application.bot_data["router"]))


async def set_profile(bot, name: str, description: str) -> None:
    """What a phone shows for the bot: a neutral name and description (BOT_DISPLAY_NAME and
    BOT_DESCRIPTION), set only when they differ, since Telegram limits how often they change."""
    wanted = (("name", name, bot.get_my_name, bot.set_my_name),
              ("description", description, bot.get_my_description, bot.set_my_description),
              ("short_description", description[:120], bot.get_my_short_description,
               bot.set_my_short_description))
    for field, value, get, put in wanted:
        try:
            if getattr(await get(), field) != value:
                await put(value)
        except TelegramError as error:  # a rate limit must not stop the bot from starting
            log.warning("bot profile not set", extra={"field": field,
                                                      "error_type": type(error).__name__})


ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


POLLER_TASK = "inbox_poller_task"


async def start_polling(application: Application, *, poll_timeout: int = 10,
                        db: Database | None = None) -> None:
    """Start the application inside an already running loop (`rise-bot run`, the demo, tests).

    With `db`, updates are polled through the inbox (`bot.tg.inbox`): each is kept in the
    database before Telegram is told we have it, so a crash loses none. Without, PTB's own
    updater polls (tests of the plumbing that have no use for it).
    """
    await application.initialize()
    await _post_init(application)
    await application.start()
    if db is not None:
        poller = InboxPoller(application, db, timeout=poll_timeout,
                             allowed_updates=ALLOWED_UPDATES)
        stop = asyncio.Event()
        application.bot_data[POLLER_TASK] = (asyncio.create_task(poller.run(stop)), stop)
        return
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=poll_timeout,
                                            allowed_updates=ALLOWED_UPDATES)


async def stop_poller(application: Application) -> None:
    """No more updates are fetched (those fetched are kept in the inbox)."""
    polling = application.bot_data.pop(POLLER_TASK, None)
    if polling is not None:
        task, stop = polling
        stop.set()
        with contextlib.suppress(asyncio.CancelledError, TimeoutError):
            await asyncio.wait_for(task, 5)


async def stop_polling(application: Application) -> None:
    await stop_poller(application)
    assert application.updater is not None
    if application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


CONCURRENT_UPDATES = 256  # people handled at once per process; one person's updates stay in order
HTTP_POOL = 64  # connections to the Bot API for sending replies


def build_application(token: str, router: ConversationRouter, *, base_url: str | None = None,
                      base_file_url: str | None = None, updater: bool = True,
                      message_log: MessageLog | None = None) -> Application:
    """The real PTB application; offline it points at the fake Bot API server.

    `updater=False` for processes that never poll (webhook, clock)."""
    builder = (ApplicationBuilder().token(token).post_init(_post_init)
               .concurrent_updates(CONCURRENT_UPDATES)
               .request(AiohttpRequest(HTTP_POOL)))
    if not updater:
        builder = builder.updater(None)
    if base_url:
        builder = builder.base_url(base_url)
    if base_file_url:
        builder = builder.base_file_url(base_file_url)
    application = builder.build()
    application.bot_data["router"] = router
    application.bot_data["tracker"] = UpdateTracker()
    application.bot_data["message_log"] = message_log
    application.bot_data["person_locks"] = KeyedLocks()
    application.bot_data[RETRY_LATER] = RetryLater()
    application.add_handler(TypeHandler(Update, _dispatch))
    application.add_error_handler(_on_error)
    return application
