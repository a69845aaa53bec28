from pathlib import Path

import pytest

from config import load
from tasks.errors import ConfigError


def test_defaults_make_the_embedded_run_work():
    s = load({})
    assert s.embedded and s.inbox == Path("./inbox") and s.data_dir == Path("./data")
    assert s.store_url_or_default().startswith("sqlite:///") and s.store_url_or_default().endswith("data/ingest.db")


def test_variables_override_defaults():
    s = load({"INGEST_BROKER_URL": "redis://h:6379/0", "INGEST_STORE_URL": "postgresql://u@h/db",
              "INGEST_DATA_DIR": "/tmp/x", "INGEST_MAX_DUMP_BYTES": "10"})
    assert not s.embedded and s.store_url_or_default() == "postgresql://u@h/db"
    assert s.model_path == Path("/tmp/x/models/topics.npz") and s.max_dump_bytes == 10


def test_a_malformed_number_says_which_variable():
    with pytest.raises(ConfigError, match="INGEST_MAX_DUMP_BYTES"):
        load({"INGEST_MAX_DUMP_BYTES": "lots"})


def test_embedded_processes_default_to_one_per_cpu_and_can_be_set():
    import os
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert load({}).processes == cpus
    assert load({"INGEST_EMBEDDED_PROCESSES": "1"}).processes == 1
    assert load({"INGEST_EMBEDDED_PROCESSES": "3"}).processes == 3


def test_negative_embedded_processes_are_refused():
    with pytest.raises(ConfigError, match="INGEST_EMBEDDED_PROCESSES=-1"):
        load({"INGEST_EMBEDDED_PROCESSES": "-1"})


def test_the_story_cache_is_bounded_per_worker_process_and_larger_in_an_embedded_run():
    # given the default settings and a worker sized down
    default, small = load({}), load({"INGEST_STORY_CACHE": "100"})
    # then a worker keeps at most INGEST_STORY_CACHE stories, an embedded run's processes at least their own floor
    assert default.story_cache == 1024 and small.story_cache == 100
    assert small.embedded_story_cache == default.embedded_story_cache >= default.story_cache
    assert load({"INGEST_STORY_CACHE": "100000"}).embedded_story_cache == 100000


def test_a_worker_pool_process_is_replaced_past_a_memory_bound_unless_turned_off():
    # given the default, a bound of 300 MB, and 0
    default, bounded, off = (load(env) for env in ({}, {"INGEST_WORKER_MAX_MEMORY_MB": "300"},
                                                   {"INGEST_WORKER_MAX_MEMORY_MB": "0"}))
    # then the default bounds a pool process at 500 MB, and 0 turns the bound off
    assert (default.worker_max_memory_mb, bounded.worker_max_memory_mb, off.worker_max_memory_mb) == (500, 300, 0)
    # and a negative bound is refused, saying what to give
    with pytest.raises(ConfigError, match="INGEST_WORKER_MAX_MEMORY_MB=-1 is negative"):
        load({"INGEST_WORKER_MAX_MEMORY_MB": "-1"})
