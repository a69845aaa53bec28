"""`ingest stories`, `ingest show STORY_ID` and the export's story fields, as a user runs them."""
import json
import subprocess
import sys



def ingest(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from workers.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=300)


def test_the_seeds_make_one_story_with_a_rewrite_link(env, tmp_path, seeds_dir):
    import os
    environ = {**os.environ, **env}
    # when the five seeds (one event, five outlets) are ingested
    assert ingest("run", str(seeds_dir), env=environ).returncode == 0
    out = tmp_path / "a.jsonl"
    assert ingest("export", "--out", str(out), env=environ).returncode == 0
    articles = {a["source_file"][:3]: a for a in map(json.loads, out.read_text().splitlines())}
    # then they share one story_id; 001 duplicates 000 and 002 rewords it; 003 and 004 are neither
    assert len({a["story_id"] for a in articles.values()}) == 1
    assert articles["001"]["duplicate_of"] == articles["000"]["id"] and articles["001"]["rewrite_of"] is None
    assert articles["002"]["rewrite_of"] == articles["000"]["id"] and articles["002"]["duplicate_of"] is None
    assert articles["002"]["rewrite_score"] > 0
    for other in ("000", "003", "004"):
        assert articles[other]["rewrite_of"] is None and articles[other]["duplicate_of"] is None
    story_id = articles["000"]["story_id"]
    # and `ingest stories` lists it with its size, first and last article and title
    listed = ingest("stories", env=environ)
    assert listed.returncode == 0
    header, row = listed.stdout.strip().splitlines()
    sid, size, dates, first, last, title = row.split("\t")
    assert (sid, size, dates, first) == (story_id, "5", "2025-07-12", articles["000"]["id"])
    assert last == articles["004"]["id"] and "Lavrov" in title
    as_json = [json.loads(x) for x in ingest("stories", "--json", env=environ).stdout.splitlines()]
    assert [s["id"] for s in as_json] == [story_id]
    assert ingest("stories", "--since", "2025-07-13", env=environ).stdout.startswith("no stories")
    assert ingest("stories", "--since", "2025-07-12", "--json", env=environ).stdout.strip()
    # and `ingest show STORY_ID` prints it with its five articles
    shown = json.loads(ingest("show", story_id, env=environ).stdout)
    assert shown["kind"] == "story" and shown["size"] == 5
    assert [a["id"] for a in shown["articles"]] == [articles[k]["id"] for k in sorted(articles)]


def test_a_bad_since_date_is_a_usage_error(env):
    import os
    result = ingest("stories", "--since", "last week", env={**os.environ, **env})
    assert result.returncode == 2 and "last week" in result.stderr
