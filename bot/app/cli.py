"""`rise-bot`: run the bot, the offline demo, migrations, and content and safety checks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from bot.app.config import ConfigError, load_settings, settings_or_exit
from bot.app.logging_setup import configure_logging

NO_TOKEN = ("No Telegram token: set TELEGRAM_BOT_TOKEN to the token @BotFather gave you "
            "(or run `rise-bot demo` to try the bot offline).")


def _serve(runner_name: str, **options: object) -> int:
    """Start a long-running process: a token is needed, and each start-up problem is one
    sentence on stderr, never a traceback."""
    settings = settings_or_exit()
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    from bot.app import runtime

    try:
        getattr(runtime, runner_name)(settings, **options)
    except (runtime.StartupError, ConfigError) as error:
        print(f"Configuration problem:\n{error}" if isinstance(error, ConfigError) else error,
              file=sys.stderr)
        return 2
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Serve real Telegram users through long polling."""
    return _serve("run_polling")


def cmd_webhook(args: argparse.Namespace) -> int:
    """Receive updates from Telegram over HTTPS (several processes may run at once)."""
    return _serve("run_webhook", set_webhook=not args.no_set_webhook,
                  reuse_port=args.reuse_port, host=args.host, port=args.port)


def cmd_clock(args: argparse.Namespace) -> int:
    """Due jobs, the outbox sender, the heartbeat: one per deployment, beside `webhook`."""
    return _serve("run_clock")


def cmd_demo(args: argparse.Namespace) -> int:
    """The whole system offline: fake Telegram, the bot, and a web page to talk to it."""
    from bot.app.demo import run_demo

    return run_demo(host=args.host, port=args.port)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from bot.db.migrate import upgrade

    settings = settings_or_exit()
    upgrade(settings.database_url)
    print("Database is up to date.")
    return 0


def cmd_new_key(args: argparse.Namespace) -> int:
    from bot.db.crypto import new_key

    print(new_key())
    return 0


def cmd_rotate_key(args: argparse.Namespace) -> int:
    """Re-encrypt every sensitive field with the newest key (the first in ENCRYPTION_KEYS)."""
    import asyncio

    from bot.app.maintenance import rotate_encryption
    from bot.app.runtime import StartupError, configure_encryption

    settings = settings_or_exit()
    try:
        configure_encryption(settings)
    except StartupError as error:
        print(error, file=sys.stderr)
        return 2
    from bot.db.engine import Database

    async def rotate() -> dict[str, int]:
        db = Database(settings.database_url)
        try:
            return await rotate_encryption(db)
        finally:
            await db.dispose()

    counts = asyncio.run(rotate())
    print("Re-encrypted: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
    return 0


def cmd_content_check(args: argparse.Namespace) -> int:
    from content.check import main as check_main

    area = settings_or_exit().area_contacts_file  # AREA_CONTACTS_FILE, from the environment or .env
    return check_main(["--area", str(area)] if area else [])


def cmd_safety_scan(args: argparse.Namespace) -> int:
    from bot.safety.scan_cli import main as scan_main

    return scan_main([args.file] if args.file else [])


def cmd_safety_evaluate(args: argparse.Namespace) -> int:
    from bot.safety.evaluate import main as evaluate_main

    argv = ["--split", args.split] + (["--misses"] if args.misses else [])
    for path in args.file or ():
        argv += ["--file", path]
    return evaluate_main(argv)


def cmd_safety_train(args: argparse.Namespace) -> int:
    from bot.safety.train import main as train_main
    from bot.safety.tune import main as tune_main

    return train_main(["--epochs", str(args.epochs)] if args.epochs else []) or tune_main([])


def cmd_safety_report(args: argparse.Namespace) -> int:
    """Resolved alerts' outcomes per category and channel (no message text)."""
    import asyncio

    from bot.db.engine import Database
    from bot.db.migrate import upgrade
    from bot.safety.report import report

    settings = settings_or_exit()
    upgrade(settings.database_url)

    async def counts() -> str:
        db = Database(settings.database_url)
        try:
            return await report(db)
        finally:
            await db.dispose()

    print(asyncio.run(counts()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rise-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str,
            parent: argparse._SubParsersAction = commands) -> argparse.ArgumentParser:
        sub = parent.add_parser(name, help=help_text)
        sub.set_defaults(handler=handler)
        return sub

    add("run", cmd_run, "serve Telegram users (long polling); needs TELEGRAM_BOT_TOKEN")
    webhook = add("webhook", cmd_webhook, "receive updates over a webhook (WEBHOOK_URL, "
                  "WEBHOOK_SECRET); run `rise-bot clock` beside it")
    webhook.add_argument("--no-set-webhook", action="store_true",
                         help="do not call setWebhook (for the second and later processes)")
    webhook.add_argument("--reuse-port", action="store_true",
                         help="share the port with other web processes (SO_REUSEPORT)")
    webhook.add_argument("--host", default=None, help="default WEBHOOK_HOST")
    webhook.add_argument("--port", type=int, default=None, help="default WEBHOOK_PORT")
    add("clock", cmd_clock, "run due jobs and send the outbox (one per deployment)")
    demo = add("demo", cmd_demo, "run everything offline with a web page to try it")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    add("upgrade", cmd_db_upgrade, "apply migrations", db)

    admin = commands.add_parser("admin", help="administration").add_subparsers(
        dest="admin_command", required=True)
    add("new-key", cmd_new_key, "print a new encryption key for ENCRYPTION_KEYS", admin)
    add("rotate-key", cmd_rotate_key, "re-encrypt sensitive fields with the newest key", admin)

    content = commands.add_parser("content", help="content").add_subparsers(
        dest="content_command", required=True)
    add("check", cmd_content_check, "validate modules, contacts and wording", content)

    safety = commands.add_parser("safety", help="safety").add_subparsers(
        dest="safety_command", required=True)
    scan = add("scan", cmd_safety_scan, "scan messages (one per line) and print JSON lines", safety)
    scan.add_argument("file", nargs="?")
    evaluate = add("evaluate", cmd_safety_evaluate, "figures per channel and category on the "
                   "corpus's test split (--split dev|train, --misses)", safety)
    evaluate.add_argument("--split", choices=("test", "dev", "train"), default="test")
    evaluate.add_argument("--file", action="append", help="score these corpus files instead")
    evaluate.add_argument("--misses", action="store_true",
                          help="also list what the combined detector missed (prints corpus text)")
    train = add("train", cmd_safety_train, "rebuild the semantic model from the corpus (needs "
                "the training environment: `make model`)", safety)
    train.add_argument("--epochs", type=int, default=None)
    add("report", cmd_safety_report, "how many resolved alerts were a real concern, not a "
        "concern or unsure, per category and channel", safety)

    from bot.app.admin import register

    register(admin)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(_log_level())
    return args.handler(args)


def _log_level() -> str:
    """LOG_LEVEL from the settings; INFO when the settings are broken (the command says why)."""
    try:
        return load_settings().log_level
    except ConfigError:
        return "INFO"


if __name__ == "__main__":
    raise SystemExit(main())
