"""The calm reply to a worrying message, naming the lines that fit what was detected.

`safety.<severity>` in content/copy.yaml is the reply; the critical and high ones always name
999 and Childline. For those two, `safety.lines.<category>` adds the lines that fit each
category detected (suicide and self-harm: Samaritans, Papyrus HOPELINE247, Shout), each set
once, in the order the categories came; a reply with none of them gets `safety.lines.default`
if the copy has one. A safeguarding lead changes the lines in copy.yaml, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

from content.loader import Content

WITH_LINES = ("critical", "high")


def safety_reply_text(content: Content, severity_label: str, categories: Sequence[str]) -> str:
    """The reply for this severity, with the lines for what was detected (critical and high)."""
    reply = content.text(f"safety.{severity_label}")
    if severity_label not in WITH_LINES:
        return reply
    extra: list[str] = []
    for category in categories:
        lines = content.copy.get(f"safety.lines.{_key(category)}")
        if lines and lines not in extra:
            extra.append(lines)
    if not extra and content.copy.get("safety.lines.default"):
        extra.append(content.copy["safety.lines.default"])
    return "\n".join([reply, *extra])


def _key(category: str) -> str:
    return category.strip().lower().replace("-", "_").replace(" ", "_")
