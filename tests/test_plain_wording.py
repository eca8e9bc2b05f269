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


# The kindness items this review handed to the promises issue, as members read them.
@pytest.mark.parametrize(("key", "english", "spanish", "gone"), [
    ("digest.invite_silent", "one tap is enough to answer", "basta un toque para responder",
     ("counted", "para que cuente")),
    ("about.who_sees", "Coordinators also see who asked for no reminders",
     "Quienes coordinan también ven quién ha pedido no recibir recordatorios", ()),
], ids=["K5", "K6"])
def test_the_kindness_items_read_kindly(catalog, key, english, spanish, gone):
    for language, now in (("en", english), ("es", spanish)):
        text = visible_text(catalog.raw(language, key))
        assert now in text and not any(word in text for word in gone), (key, language)


# The review's Spanish table, row by row where a catalog string carries it:
# (row, key, as it reads now, as it read then).
SPANISH = [
    (1, "setup.partner_hint_cso", "responde a las preguntas del lado de", "responde el lado"),
    (2, "weekly.nudges_on", "envío un recordatorio amable a quienes", "recuerdo con amabilidad"),
    (3, "partnership.pair.1", "resultados valorados", "resultados valiosos"),
    (7, "digest.invite_never", "¡Hola, {first_name}! Te damos la bienvenida.", "Tu mirada"),
    (8, "digest.never_title", "días, pero aún no", "días pero aún no"),
    (9, "agenda.pair", "nuestro grupo {ours}", "nosotros {ours}"),
    (10, "agenda.opener_lowest", "los dos lados nos damos la puntuación más baja",
     "ambos nos valoramos más bajo"),
    (22, "personal.timezone_changed", "te llegan según esa hora", "la siguen"),
    (23, "onboarding.days_ok", "Listo", "OK"),
    (24, "onboarding.command_later", "volver a preguntar", "pregúntame"),
    (25, "errors.generic", "algo ha fallado por mi parte", "falló de mi lado"),
    (26, "about.stores", "una huella (hash)", "resumen cifrado"),
    (27, "quiethours.usage", "en formato de 24 horas", "con horas de 24 horas"),
    (28, "nudge.private.other", "¡Hola, {name}! 👋 En {title}, ya", "Hola, {name} 👋"),
    (29, "about.what", "pregunta a pregunta", "una pregunta a la vez"),
    (31, "partnership.pair.8", "apoyo entre pares", "apoyo mutuo"),
    (31, "partnership.pair.5", "cada entidad aliada", "cada socio"),
    (32, "question.quote_allow", "Pueden citarme", "Citar mi comentario"),
    (33, "journal.empty", "Aquí aparecerán tus respuestas.", "tus respuestas a tus preguntas"),
    (34, "summary.nobody", "sin prisa", "cuando se quiera"),
    (36, "question.how_scale", "una valoración o responder", "valoración, o"),
    (37, "setup.side_la", "Una alcaldía, ayuntamiento u otro organismo público", "Un ayuntamiento"),
    (38, "setup.ask_z", "con los nombres en inglés", "Región/Ciudad (por"),
]


@pytest.mark.parametrize(("row", "key", "now", "then"), SPANISH,
                         ids=[f"row {row[0]} {row[1]}" for row in SPANISH])
def test_the_review_spanish_rows_read_naturally(catalog, row, key, now, then):
    text = catalog.raw("es", key)
    assert now in text, (row, text)
    assert then not in text, (row, then)


# Rows carried by the packs: (row, pack, item or theme, as it reads now, as it read then).
SPANISH_PACKS = [
    (6, "well-being", "title", "Cinco formas de cuidar el bienestar", "Cinco claves"),
    (11, "whole-systems", "public-learning", "Aprendizaje compartido", "Aprender en público"),
    (12, "checklist-cso", "cso-08", "informarse, orientarse y defender sus derechos mutuamente",
     "orientación y defensa"),
    (13, "checklist-cso", "cso-01", "como resultados valorados", "en términos de"),
    (14, "checklist-la", "la-04", "partes interesadas pertinentes", "interesadas se"),
    (15, "checklist-la", "la-08", "descentralizando el liderazgo hacia los barrios",
     "trasladando"),
    (16, "checklist-cso", "cso-07", "con poder real", "en pie de igualdad"),
    (17, "well-being", "wellbeing-05", "una ayuda", "o una mano"),
    (18, "well-being", "wellbeing-02", "te haya sentado bien", "te sentara bien"),
    (19, "resilience-tests", "reweaving-the-economy", "Retejer la economía de proximidad",
     "Volver a tejer"),
    (20, "resilience-tests", "resilience-02", "nuestra tierra, nuestra agua, nuestros alimentos",
     "nuestra tierra, el agua"),
    (21, "resilience-tests", "resilience-03", "entre vecinos y vecinas", "en el vecindario"),
]


@pytest.mark.parametrize(("row", "pack_id", "where", "now", "then"), SPANISH_PACKS,
                         ids=[f"row {row[0]} {row[2]}" for row in SPANISH_PACKS])
def test_the_review_spanish_rows_in_the_packs(packs, row, pack_id, where, now, then):
    pack = packs[pack_id]
    if where == "title":
        text = pack.title["es"]
    elif where in pack.themes:
        text = pack.themes[where]["es"]
    else:
        text = pack.item(where).text["es"]
    assert now in text, (row, text)
    assert then not in text, (row, then)
