"""Tables of the output store."""
from sqlalchemy import (BigInteger, Column, DateTime, Float, ForeignKey, Index, Integer,
                        LargeBinary, MetaData, String, Table, Text)

metadata = MetaData()

# One row per distinct dump content: the raw bytes (gzip) stay here so a re-queue is always possible.
dumps = Table(
    "dumps", metadata,
    Column("id", String(32), primary_key=True),            # sha256 of the raw bytes, 16 hex
    Column("source_file", Text, nullable=False),           # the file name it arrived under
    Column("path", Text),                                  # where it was seen (huge dumps stay there)
    Column("size", BigInteger, nullable=False),
    Column("raw_gz", LargeBinary),                         # gzip of the raw bytes; NULL if too large
    Column("state", String(16), nullable=False),           # queued | processing | done | failed | superseded
    Column("error", Text),
    Column("attempts", Integer, nullable=False, default=0),
    Column("articles", Integer, nullable=False, default=0),
    Column("pipeline_version", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    # The lease of the current claim (see tasks/store/lifecycle.py): only its holder may finish
    # or fail the dump; once older than the lease time it is taken back.
    Column("lease", String(32)),                           # the claim's attempt token
    Column("holder", String(64)),                          # who claimed: the Celery task id
    Column("claimed_at", DateTime(timezone=True)),
    Column("mode", String(16)),                            # NULL: full; "classify": re-classify only
    # Records of a done dump that gave no article (JSON Lines that do not parse, records without
    # text): "2 of 23 records skipped: …, first …". Kept, never silently dropped.
    Column("warnings", Text),
    # What the file was when registered (see tasks/store/inbox.py): sha256 of name and bytes (the
    # id is its first 16 hex; it identifies a dump whose bytes stay in its file), and the mtime
    # that, with path and size, lets a known file be recognised by one stat.
    Column("sha256", String(64)),
    Column("mtime_ns", BigInteger),
)
Index("ix_dumps_state", dumps.c.state, dumps.c.updated_at)
Index("ix_dumps_path", dumps.c.path)

articles = Table(
    "articles", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),   # arrival order: originals come first
    Column("id", String(48), nullable=False, unique=True),           # <dump id>-<record index>
    Column("dump_id", String(32), ForeignKey("dumps.id"), nullable=False, index=True),
    Column("record_index", Integer, nullable=False),
    Column("source_file", Text, nullable=False),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("published", String(10)),
    Column("source", Text),
    Column("language", String(8)),
    Column("url", Text),
    Column("topics", Text, nullable=False),                          # JSON [{"label", "score"}]
    Column("classifier", String(64)),
    Column("topics_reason", Text),                                   # why topics is [] (language not covered)
    Column("status", String(16), nullable=False),                   # original | duplicate
    Column("duplicate_of", String(48)),
    Column("dup_kind", String(8)),                                   # exact | near
    Column("dup_containment", Float),
    Column("dup_jaccard", Float),
    Column("exact_hash", String(32), nullable=False, index=True),
    Column("sample_size", Integer, nullable=False),
    Column("pipeline_version", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("story_id", String(48), index=True),                     # the story (event) it reports
    Column("rewrite_of", String(48)),                                # the original it rewords, if any
    Column("rewrite_score", Float),
    Column("story_sig", Text),                                       # JSON: its heaviest body terms
    sqlite_autoincrement=True,   # seq is never reused, even after the newest article is deleted
)

# The dedup index (tasks/store/index.py): per original article, its sketch (one row) and a
# bounded number of lookup keys, each key's postings capped.
dedup_sketches = Table(
    "dedup_sketches", metadata,
    Column("article_seq", Integer, ForeignKey("articles.seq", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("size", Integer, nullable=False),          # distinct 5-grams of its text
    Column("sketch", LargeBinary, nullable=False),    # bottom-k 5-gram hashes, 32-bit each
    Column("keys", LargeBinary, nullable=False),      # the keys it is indexed under, 32-bit each
)
dedup_keys = Table(
    "dedup_keys", metadata,
    Column("key", Integer, primary_key=True, autoincrement=False),
    Column("article_seq", Integer, primary_key=True, autoincrement=False),
    sqlite_with_rowid=False,
)

# Learned templates (CCNet style): per source, in how many original articles each line hash
# stood. A line found in many of a source's articles is site furniture, not content.
template_sources = Table(
    "template_sources", metadata,
    Column("source", String(200), primary_key=True),
    Column("articles", Integer, nullable=False),
)
template_lines = Table(
    "template_lines", metadata,
    Column("source", String(200), primary_key=True),
    Column("hash", BigInteger, primary_key=True),
    Column("articles", Integer, nullable=False),
)
Index("ix_template_lines_frequent", template_lines.c.source, template_lines.c.articles)

# Stories: the real-world events articles report (see tasks/stages/stories). A story's id is
# `s-` and its first article's id; its centroid (JSON summed term vectors, bounded) and date span are
# what a new article is compared with. `touched` orders the changes made under the story lock
# (tasks/store/stories.py): a story changed since a snapshot has it above the snapshot's.
stories = Table(
    "stories", metadata,
    Column("id", String(48), primary_key=True),
    Column("title", Text),
    Column("size", Integer, nullable=False),
    Column("first_article", String(48), nullable=False),
    Column("last_article", String(48), nullable=False),
    Column("first_date", String(10)),
    Column("last_date", String(10)),
    Column("first_seq", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("touched", BigInteger, nullable=False),   # story-lock order of its last change
    Column("centroid", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
Index("ix_stories_touched", stories.c.touched)
Index("ix_stories_last_date", stories.c.last_date)

# Inverted index of each story's key terms (hashed): how a new article finds its candidates.
story_keys = Table(
    "story_keys", metadata,
    Column("hash", BigInteger, primary_key=True),
    Column("story_id", String(48), ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
)
Index("ix_story_keys_story", story_keys.c.story_id)
