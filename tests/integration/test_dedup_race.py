"""Race-freedom of dedup with real workers: pairs of near duplicates released together to four
`celery worker` processes on the real Redis and PostgreSQL. Each pair must end as one original
and its duplicate, although the workers store unrelated articles at the same time (no
fleet-wide lock: tasks/store/index.py locks what each text could collide on)."""
import random

from tests.integration.processes import environment, export, ingest, start_worker

WORDS = ("harbour council budget river school station market bridge tower museum garden railway airport "
         "festival hospital library stadium factory election court police storm flood minister village "
         "farmers teachers nurses drivers students workers residents officials engineers lawyers doctors "
         "announced reported approved rejected delayed opened closed expanded reduced increased repaired "
         "morning evening week month year season spring summer autumn winter north south east west "
         "new old large small public private local national regional central coastal rural urban").split()


def article(rng: random.Random, sentences: int = 14) -> str:
    """Prose-like text: sentences of words drawn at random (no two articles share a 5-gram)."""
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(10, 16))]
        out.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(" ".join(out[i:i + 3]) for i in range(0, len(out), 3))


def test_pairs_of_near_duplicates_released_together_to_four_workers_are_never_missed(
        tmp_path, redis_url, pg_url, queue_name):
    # given four real workers on one Redis and one PostgreSQL
    env = environment(tmp_path, redis_url, pg_url, queue_name)
    workers = []
    try:
        workers += [start_worker(f"w{i}", env, tmp_path) for i in range(4)]
        # and 16 pairs of near duplicates (an article and a lightly edited copy), each pair next to
        # each other in the queue, so that two workers take them at the same time
        rng = random.Random(9)
        dumps = tmp_path / "dumps"
        dumps.mkdir()
        for p in range(16):
            text = article(rng)
            (dumps / f"p{p:02d}_a.txt").write_text(text, encoding="utf8")
            (dumps / f"p{p:02d}_b.txt").write_text(text + "\n\nThe report was updated later.", encoding="utf8")
        # when `ingest run` releases them all
        done = ingest(env, tmp_path, "run", str(dumps))
        assert done.returncode == 0, done.stdout + done.stderr
        # then every pair is one original and one duplicate of it: zero misses
        articles = export(env, tmp_path)
        assert len(articles) == 32
        by_pair: dict[str, list[dict]] = {}
        for a in articles:
            by_pair.setdefault(a["source_file"][:3], []).append(a)
        missed = [p for p, two in by_pair.items()
                  if sorted(a["status"] for a in two) != ["duplicate", "original"]
                  or {a["duplicate_of"] for a in two} - {None} != {a["id"] for a in two if a["status"] == "original"}]
        assert missed == [], missed
        # and no pair is split across two stories (the story lock, tasks/store/storylock.py)
        split = [p for p, two in by_pair.items() if len({a["story_id"] for a in two}) != 1 or not two[0]["story_id"]]
        assert split == [], split
        # and the workers shared the work
        assert sum("succeeded" in w.output() for w in workers) >= 3
    finally:
        for w in workers:
            w.stop()
