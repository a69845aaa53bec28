#!/usr/bin/env python3
"""What a static embedding model would give instead of the lexicon: WordLlama (its 256-d weights
ship inside the PyPI wheel) with one prototype per IPTC topic, written from the IPTC Media
Topics definitions; top-1 accuracy and docs/s, scored like score_topics.py.

    pip install wordllama        # not a dependency of the product: this only measures it
    python bench/eval_wordllama.py DOCS.jsonl [DOCS.jsonl ...]

Loads offline (no download at run time): the wheel's own weights and tokenizer files. Measured
on the tune slices while designing the topics classifier, it was well below the lexicon and
slower than the speed target, so it is not used (see the README's Topics section).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

PROTOTYPES = {
    "arts-culture-entertainment": "arts, culture, entertainment and media: music, film, television, theatre, books, "
                                  "museums, painting, dance, celebrities, awards",
    "conflict-war-peace": "conflict, war and peace: armed conflict, military operations, troops, attacks, bombings, "
                          "terrorism, insurgency, peace talks, ceasefire",
    "crime-law-justice": "crime, law and justice: police, arrests, criminal charges, courts, trials, judges, lawsuits, "
                         "prisons, fraud, murder",
    "disaster-accident-emergency": "disaster, accident and emergency: earthquakes, floods, fires, storms, crashes, "
                                   "explosions, rescue and emergency response",
    "economy-business-finance": "economy, business and finance: companies, markets, stocks, earnings, banks, trade, "
                                "inflation, interest rates, mergers, industries",
    "education": "education: schools, teachers, students, universities, exams, curriculum",
    "environment": "environment: climate change, pollution, conservation, wildlife, natural resources",
    "health": "health: diseases, medical treatment, hospitals, doctors, public health, medicines, vaccines",
    "human-interest": "human interest: people, animals, curiosities, royalty, anniversaries, odd and heartwarming stories",
    "labour": "labour: employment, jobs, unemployment, wages, trade unions, strikes, workers",
    "lifestyle-leisure": "lifestyle and leisure: travel, food, restaurants, fashion, hobbies, holidays",
    "politics": "politics: government, elections, parliament, political parties, diplomacy, international relations",
    "religion": "religion: faiths, churches, religious leaders, beliefs, worship",
    "science-technology": "science and technology: scientific research, space, biology, physics, computers, software, "
                          "internet, mobile phones, technology companies",
    "society": "society: social issues, poverty, discrimination, immigration, family, demographics, welfare",
    "sport": "sport: competitions, matches, athletes, teams, leagues, games, results, championships",
    "weather": "weather: forecasts, temperatures, rain, snow, heat waves, meteorology",
}


def main() -> None:
    try:
        import wordllama
        from wordllama import WordLlama
    except ImportError:
        sys.exit("this measures WordLlama: pip install wordllama")
    model = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    labels = list(PROTOTYPES)
    protos = model.embed([PROTOTYPES[label] for label in labels], norm=True)
    for path in map(Path, sys.argv[1:]):
        docs = [json.loads(line) for line in path.read_text(encoding="utf8").splitlines() if line.strip()]
        started = time.process_time()
        vectors = model.embed([d["text"] for d in docs], norm=True)
        rate = len(docs) / max(1e-9, time.process_time() - started)
        best = (vectors @ protos.T).argmax(axis=1)
        right = sum(labels[b] in d["label"].split("|") for b, d in zip(best, docs))
        print(f"{path.name}: WordLlama + IPTC prototypes top-1 accuracy={right / len(docs):.3f}, {rate:,.0f} docs/s (one core)")


if __name__ == "__main__":
    main()
