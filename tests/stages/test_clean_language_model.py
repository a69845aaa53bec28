"""Language ID's model (tasks/stages/clean/language.py): py3langid's bundled model, read in memory."""
import io
from types import SimpleNamespace

import numpy as np
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from tasks.stages.clean import language

TEXTS = ["The council met on Tuesday to discuss the budget for the coming year.",
         "Der Stadtrat hat am Dienstag beschlossen, eine neue Brücke über den Fluss zu bauen.",
         "Министр иностранных дел прибыл в страну с рабочим визитом в пятницу.",
         "俄罗斯外交部长星期五抵达朝鲜进行工作访问。", "Le conseil municipal a voté le budget mardi soir.",
         "12 34 56", "ok"]


def scores(identifier) -> list:
    return [(identifier.classify(t)[0], round(float(identifier.classify(t)[1]), 4)) for t in TEXTS]


def test_the_model_read_in_memory_answers_as_py3langids_own_loader():
    # given py3langid's model read by its own loader (through a temporary file)
    theirs = LanguageIdentifier.from_model_file(MODEL_FILE)
    # when the stage reads it in memory
    language._identifier.cache_clear()
    ours = language._identifier()
    # then every text gets the same language and the same score
    assert scores(ours) == scores(theirs)
    assert [code for code, _ in scores(ours)][:5] == ["en", "de", "ru", "zh", "fr"]


def test_a_model_file_laid_out_otherwise_is_left_to_py3langids_loader(monkeypatch):
    # given a model file without the arrays the in-memory reader expects
    empty = io.BytesIO()
    np.savez(empty, other=np.zeros(3))
    monkeypatch.setattr(language, "lzma", SimpleNamespace(decompress=lambda packed: empty.getvalue()))
    language._identifier.cache_clear()
    try:
        # when the stage loads it
        ours = language._identifier()
        # then py3langid's own loader read the bundled model, and answers as usual
        assert scores(ours) == scores(LanguageIdentifier.from_model_file(MODEL_FILE))
    finally:
        language._identifier.cache_clear()
