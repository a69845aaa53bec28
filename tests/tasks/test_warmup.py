import sys
import subprocess

from tasks.warmup import SAMPLES, warm_up


def test_warm_up_cleans_both_samples_and_returns_seconds():
    # given the built-in samples, when the clean stage is warmed up, then both give an article
    from tasks.stages.clean import clean
    for name, raw in SAMPLES:
        assert len(clean(raw, name)) == 1, name
    try:
        assert warm_up() >= 0
    finally:
        import gc
        gc.unfreeze()   # the test process goes on collecting as before


def test_warm_up_leaves_what_it_loaded_out_of_the_collectors_sight_for_the_forked_children():
    # given a fresh interpreter with nothing frozen, when warm_up runs, then what it loaded is frozen
    code = ("import gc; before = gc.get_freeze_count(); from tasks.warmup import warm_up; warm_up(); "
            "print(before, gc.get_freeze_count() > 10000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0 True"


def test_warm_up_loads_the_libraries_the_first_dump_would_load():
    # given a fresh interpreter, when warm_up runs, then the extraction libraries are imported
    code = ("import sys; from tasks.warmup import warm_up; warm_up(); "
            "print(all(m in sys.modules for m in ('trafilatura', 'justext', 'py3langid')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_warm_up_with_a_pipeline_loads_the_topic_lexicon_a_child_would_load():
    # given a fresh interpreter, when warm_up runs with a pipeline, then the lexicon is built
    code = ("from config.settings import Settings; from tasks.pipeline import Pipeline; "
            "from tasks.warmup import warm_up; from tasks.stages.topics.lexicon.loader import load_lexicon; "
            "warm_up(Pipeline(Settings(), None)); print(load_lexicon.cache_info().currsize)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_the_language_model_loads_in_a_thread_that_ends():
    # given a fresh interpreter, when the language model is loaded ahead and the thread joined
    code = ("import sys; from tasks.warmup import load_language_model; t = load_language_model(); "
            "t.join(); print(t.is_alive(), 'py3langid' in sys.modules, 'trafilatura' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # then the model's library is loaded, and the thread is gone
    assert out.stdout.split()[:2] == ["False", "True"]
