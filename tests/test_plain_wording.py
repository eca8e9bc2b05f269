"""The plain-language items of the December 2026 content review (issue 23), each
pinned in both languages: the words that say it plainly now, and the words the
review found hard that must not come back. The reading-level limits are in
tests/test_reading_level.py; these are the review's own findings, one by one.
"""

from __future__ import annotations

import pytest

from bot.sandbox.telegram import visible_text

# (review item, catalog key, English now, Spanish now, words that must not come back)
PLAIN = [
    ("plain 4", "partner.shares", "What stays hidden:", "Lo que queda oculto:",
     ("never see", "nothing of", "y nada del diario")),
    ("plain 5", "summary.hidden.other", "so nobody's can be guessed",
     "para que no se pueda adivinar la de nadie", ("without revealing who gave which",)),
    ("plain 7", "question.quote_allow", "You may quote me", "Pueden citarme",
     ("Quote me", "Citar mi comentario")),
    ("plain 8", "self.export_caption.other", "opens in any notes or text app",
     "se abre con cualquier app de notas o de texto", (".md", ".json")),
    ("plain 9", "question.refers_to_labelled", "Following on from question {label}",
     "Viene de la pregunta {label}", ()),
    ("plain 13", "glossary.more", "press Start, then tap this button again",
     "pulsa Iniciar y vuelve a tocar este botón", ("start one, then",)),
    ("plain 14", "quiethours.set", "Anything due waits until {end}",
     "espera hasta las {end}", ("morning", "mañana")),
    ("plain 15", "onboarding.ask_R", "quotes a line of each answer",
     "cita una línea de cada respuesta", ()),
    ("also", "commands.private_language", "Choose the language I write to you in",
     "Elegir el idioma en que te escribo", ("Change my language",)),
    ("also", "onboarding.schedule_days", "Every week on {days}", "Cada {days}", ()),
]


@pytest.mark.parametrize(("item", "key", "english", "spanish", "gone"), PLAIN,
                         ids=[f"{row[0]} {row[1]}" for row in PLAIN])
def test_the_review_plain_items_stay_plain(catalog, item, key, english, spanish, gone):
    for language, now in (("en", english), ("es", spanish)):
        text = visible_text(catalog.raw(language, key))
        assert now in text, (item, language, text)
        for hard in gone:
            assert hard not in text, (item, language, hard)


def test_the_resilience_scale_says_likely_as_people_do(packs):
    # Plain 12: "Slightly likely" is not how anyone says it.
    scale = packs["resilience-tests"].scale
    assert scale["en"][2] == "Somewhat likely" and "Slightly likely" not in scale["en"]
    assert scale["es"][2] == "Algo probable"
