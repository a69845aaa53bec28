"""Learned templates converge: once a source's footer is learned, it stays learned."""
import json
import random

from config.settings import Settings
from tasks.pipeline import Pipeline
from tasks.store import Store

FOOTER = "The Valley Daily has been owned by the people of the valley since 1901 and is read in every town along the river."
NOUNS = """harbour council school tram museum bridge orchard farmer teacher driver nurse doctor mayor judge
river market station library hospital factory village festival garden island forest mountain bakery
ferry airport stadium theatre church castle prison tower canal lake meadow vineyard quarry mine
engineer pilot sailor miner baker butcher painter singer dancer writer reporter lawyer banker
budget contract permit licence fee tax grant loan pension wage salary price rent tariff toll
storm flood drought frost fire wind rain snow heat fog cyclone earthquake landslide avalanche
election vote ballot debate protest strike rally petition inquiry trial verdict appeal ruling""".split()
VERBS = "approved rejected delayed opened closed repaired built sold bought moved studied praised".split()


def story(rng: random.Random) -> list[str]:
    """A short news story of four paragraphs, each a sentence of plain English."""
    def sentence():
        a, b, c, d = (rng.choice(NOUNS) for _ in range(4))
        return (f"The {a} and the {b} were {rng.choice(VERBS)} by the {c} of the town on "
                f"{rng.choice(['Monday', 'Tuesday', 'Friday'])}, after the {d} said it had waited {rng.randint(2, 90)} days.")
    return [" ".join(sentence() for _ in range(2)) for _ in range(4)]


def test_after_twenty_articles_of_a_source_its_footer_is_never_kept(tmp_path):
    # given 200 original stories of one source, each ending with the same prose-like footer
    store = Store(f"sqlite:///{tmp_path}/s.db")
    pipeline = Pipeline(Settings(data_dir=tmp_path / "data"), store)
    rng = random.Random(7)
    kept = []
    for i in range(200):
        path = tmp_path / f"{i}.json"
        paragraphs = story(rng)
        path.write_text(json.dumps({"text": "\n\n".join(paragraphs + [FOOTER]), "source": "The Valley Daily"}))
        dump_id = store.register(path, 1_000_000, "t").dump_id
        # when each is processed in turn
        assert pipeline.process(dump_id).state == "done"
        (article,) = store.articles_of(dump_id)
        assert article["text"].startswith(paragraphs[0])
        if FOOTER in article["text"]:
            kept.append(i)
    # then the footer was only kept while the template was being learned, never after the first 20
    assert store.totals()["original"] == 200
    assert kept and max(kept) < 20, kept
