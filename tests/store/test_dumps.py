"""Kept dumps (tasks/store/dumps.py): the raw bytes a dump row keeps are plain gzip, however written."""
import gzip

from sqlalchemy import select, update

from tasks.store.schema import dumps

PAGE = ("<html><head><title>Budget talks</title></head><body><article><p>The council met on Tuesday "
        "to discuss the budget. \u00e9t\u00e9 \u2014 caf\u00e9.</p></article></body></html>\n" * 40).encode()


def test_a_kept_dump_is_plain_gzip_that_any_reader_opens(store, tmp_path):
    # given a page registered
    (tmp_path / "page.html").write_bytes(PAGE)
    reg = store.register(tmp_path / "page.html", 1_000_000, "v")
    # when its stored bytes are read by the standard library's gzip
    with store.engine.connect() as conn:
        kept = conn.execute(select(dumps.c.raw_gz).where(dumps.c.id == reg.dump_id)).scalar_one()
    # then they are the file's bytes, compressed (a page repeated 40 times shrinks well)
    assert gzip.decompress(kept) == PAGE
    assert len(kept) < len(PAGE) / 10


def test_a_dump_kept_by_zlib_before_is_read_back(store, tmp_path):
    # given a dump whose row holds gzip written by zlib (a store filled before ISA-L wrote them)
    (tmp_path / "page.html").write_bytes(PAGE)
    reg = store.register(tmp_path / "page.html", 1_000_000, "v")
    with store.engine.begin() as conn:
        conn.execute(update(dumps).where(dumps.c.id == reg.dump_id).values(raw_gz=gzip.compress(PAGE, 6)))
    # when it is claimed and read
    store.claim(reg.dump_id)
    # then its bytes are the file's
    assert store.raw(reg.dump_id) == PAGE
