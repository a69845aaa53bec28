"""The Celery app's configuration (tasks/app.py): the settings that keep work from being lost
and a long-running worker bounded."""
from config.settings import Settings
from tasks.app import make_app


def test_no_task_is_lost_when_a_worker_dies():
    # given the app made from the defaults
    conf = make_app(Settings()).conf
    # then tasks are acknowledged once done, put back when their process dies, prefetched one at a time
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1


def test_the_memory_bound_of_a_pool_process_reaches_celery_in_kib():
    # given a bound of 300 MB, and none
    bounded, unbounded = make_app(Settings(worker_max_memory_mb=300)).conf, make_app(Settings(worker_max_memory_mb=0)).conf
    # then Celery replaces a pool process past 300 MiB of resident memory, or never
    assert bounded.worker_max_memory_per_child == 300 * 1024
    assert unbounded.worker_max_memory_per_child is None
