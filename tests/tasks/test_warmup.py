import sys
import subprocess

from tasks.warmup import SAMPLES, warm_up


def test_warm_up_cleans_both_samples_and_returns_seconds():
    # given the built-in samples, when the clean stage is warmed up, then both give an article
    from tasks.stages.clean import clean
    for name, raw in SAMPLES:
        assert len(clean(raw, name)) == 1, name
    assert warm_up() >= 0


def test_warm_up_loads_the_libraries_the_first_dump_would_load():
    # given a fresh interpreter, when warm_up runs, then the extraction libraries are imported
    code = ("import sys; from tasks.warmup import warm_up; warm_up(); "
            "print(all(m in sys.modules for m in ('trafilatura', 'justext', 'py3langid')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
