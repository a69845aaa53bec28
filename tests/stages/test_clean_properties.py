"""Property tests: whatever bytes or JSON shapes a dump holds, decode and clean either give text
and articles or raise an IngestError with a reason; nothing else escapes."""
import gzip
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tasks.errors import IngestError
from tasks.stages.clean import clean
from tasks.stages.clean.decode import decode_dump

MAX = 200_000
NAMES = st.sampled_from(["dump.txt", "dump.html", "dump.json", "dump.jsonl", "dump", "dump.txt.gz"])
FIELDS = st.sampled_from(["html", "text", "url", "title", "published", "source", "body", "date", "x"])
PROSE = st.sampled_from([
    "The council voted on Tuesday to build a new footbridge across the river after years of debate.",
    "<p>Fishing crews welcomed the dredging of the harbour mouth, which starts in March.</p>",
    "<html><head><title>T</title></head><body><article><p>Rain leaked into the gallery.</p></article></body></html>",
    "Subscribe", "© 2025", "", "2024-03-12",
])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30) | PROSE,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(FIELDS | st.text(max_size=8), inner, max_size=6),
    max_leaves=30)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_ingest_errors(raw: bytes, name: str) -> None:
    try:
        found = clean(raw, name, max_bytes=MAX)
    except IngestError as exc:
        assert str(exc)   # every refusal says why
        return
    assert len(found) == len(found.records) >= 1
    for article in found:
        assert article.paragraphs and all(isinstance(p, str) for p in article.paragraphs)


@SETTINGS
@given(st.binary(max_size=3000), NAMES)
def test_random_bytes_give_articles_or_an_ingest_error(raw, name):
    only_ingest_errors(raw, name)


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_decode_to_text_or_an_ingest_error(raw):
    try:
        assert isinstance(decode_dump(raw, max_bytes=MAX), str)
    except IngestError:
        pass


@SETTINGS
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=60))
def test_gzip_of_random_bytes_cut_anywhere_gives_text_or_an_ingest_error(raw, cut):
    packed = gzip.compress(raw)
    only_ingest_errors(packed[: max(2, len(packed) - cut)], "dump.gz")


@SETTINGS
@given(JSON_VALUES, NAMES)
def test_random_json_shapes_give_articles_or_an_ingest_error(value, name):
    only_ingest_errors(json.dumps(value).encode(), name)


@SETTINGS
@given(st.lists(JSON_VALUES, min_size=1, max_size=6), st.lists(st.text(max_size=20), max_size=3))
def test_random_json_lines_with_junk_lines_give_articles_or_an_ingest_error(values, junk):
    lines = [json.dumps(v) for v in values] + junk
    only_ingest_errors("\n".join(lines).encode(), "feed.jsonl")
