"""A member's own answers in a group, shown to them privately."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain.records import Answer, Chat, Prompt
from bot.render.split import split_lines


def my_answers(
    catalog: Catalog, language: str, group: Chat, packs: PackLibrary,
    answers: Sequence[tuple[Prompt, Answer]], actions: Sequence[str] = (),
) -> list[str]:
    """Their answers, then `actions` (lines about their actions, if any)."""
    lines = [catalog.text(language, "mydata.title", title=group.title or "…")]
    if not answers:
        lines.append(catalog.text(language, "mydata.none"))
    for prompt, answer in answers:
        pack = packs.get(prompt.pack_id)
        item = pack.item(prompt.item_id) if pack else None
        question = item.text_in(language) if item else prompt.item_id
        lines.append("")
        lines.append(catalog.text(language, "mydata.question",
                                  date=prompt.opened_at.strftime("%Y-%m-%d"), text=question))
        if answer.skipped:
            lines.append(catalog.text(language, "mydata.skipped"))
        if answer.scale is not None and pack and pack.scale:
            lines.append(catalog.text(language, "mydata.rating", value=answer.scale,
                                      label=pack.scale_in(language)[answer.scale - 1]))
        if answer.text:
            lines.append(catalog.text(language, "mydata.comment", text=answer.text))
        if answer.voice_file_id:
            lines.append(catalog.text(language, "mydata.voice"))
        where = "mydata.private" if answer.visibility == "private" else (
            "mydata.quotable" if answer.quotable else "mydata.group")
        lines.append(catalog.text(language, where))
    lines += [*actions, "", catalog.text(language, "mydata.footer")]
    return split_lines("\n".join(lines))
