"""What workers do through the bot. One module per feature, each a `WorkerFeature`."""

from __future__ import annotations

from bot.workers.desk import WorkerFeature


def default_features(bot_username: str = "rise_demo_bot") -> list[WorkerFeature]:
    """Every worker feature, in the order they are offered in a worker's /help."""
    from bot.workers.assign import AssignFeature
    from bot.workers.caseload import CaseloadView
    from bot.workers.invites import InviteFeature
    from bot.workers.notes import NoteFeature
    from bot.workers.progress import ProgressFeature
    from bot.workers.transfer import TransferFeature
    from bot.workers.wellbeing import wellbeing_features

    return [CaseloadView(), InviteFeature(bot_username), AssignFeature(), ProgressFeature(),
            NoteFeature(), TransferFeature(), *wellbeing_features()]
