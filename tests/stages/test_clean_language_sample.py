"""page_language: a page's language from an even sample of its longest lines."""
from tasks.stages.clean.language import SAMPLE_CHARS, _cut, page_language

ENGLISH = ["The minister arrived on Friday for talks that are expected to last until the end of the week.",
           "Officials said the meeting would cover trade, energy and the security of the region's borders.",
           "Reporters were told that a joint statement could follow on Sunday, if the talks went well."]
SPANISH_NOTICE = ("Aviso legal: este sitio utiliza cookies propias y de terceros para mejorar nuestros servicios y "
                  "mostrarle publicidad relacionada con sus preferencias mediante el análisis de sus hábitos de "
                  "navegación; si continúa navegando, consideramos que acepta su uso en las condiciones indicadas.")


def test_one_long_line_in_another_language_does_not_decide_the_page():
    # given three English lines and one longer Spanish notice
    lines = ENGLISH[:2] + [SPANISH_NOTICE] + ENGLISH[2:]
    # when the page's language is read, then it is English
    assert page_language(lines) == "en"


def test_a_page_in_one_language_is_read_as_it():
    assert page_language([SPANISH_NOTICE, "Más información en nuestra política de privacidad y cookies."]) == "es"


def test_too_little_text_has_no_language():
    assert page_language(["Home", "News"]) is None


def test_a_cut_line_ends_at_a_word_and_stays_within_its_share():
    line = "word " * 40
    assert len(_cut(line, SAMPLE_CHARS // 5)) <= SAMPLE_CHARS // 5
    assert _cut(line, 60).endswith("word")
    assert _cut("short line", 60) == "short line"


def test_a_page_of_one_long_line_gives_it_the_whole_sample(monkeypatch):
    # given a page of one line longer than the sample, and a short one
    seen = []
    monkeypatch.setattr("tasks.stages.clean.language.detect_language", lambda text: seen.append(text) or "en")
    page_language(["Short line here.", SPANISH_NOTICE])
    # then the short line is read whole, and the long one fills the rest of the sample
    (sample,) = seen
    assert sample.startswith("Short line here. Aviso legal")
    assert SAMPLE_CHARS - 20 <= len(sample) <= SAMPLE_CHARS + 1
