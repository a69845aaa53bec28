"""What the worker's main process reads from a task killed by the hard time limit (the rest,
recording the reason and re-sending the batch's other dumps, runs against a real worker in
tests/integration/test_worker_lost.py)."""
from workers.timeouts import TimeLimitRequest, dump_ids


def test_the_dump_ids_of_a_message_are_read_from_either_task_and_from_a_retry():
    # given the messages of process_dump and process_dumps, first sent or retried (kwargs, lease kept)
    assert dump_ids(["a1"], {}) == ["a1"]
    assert dump_ids([["a1", "b2", "c3"]], {}) == ["a1", "b2", "c3"]
    assert dump_ids([], {"dump_id": "a1", "lease": "tok"}) == ["a1"]
    assert dump_ids([], {"dump_ids": ["b2", "c3"], "leases": {"b2": "tok"}}) == ["b2", "c3"]


def test_both_pipeline_tasks_use_the_request_that_records_the_hard_limit():
    from celery.utils.imports import symbol_by_name
    from tasks.jobs import process_dump, process_dumps
    for task in (process_dump, process_dumps):
        assert symbol_by_name(task.Request) is TimeLimitRequest
        # the message is acknowledged, not put back: the batch's other dumps are re-sent (Celery < 5.6
        # has only acks_on_failure_or_timeout)
        assert task.acks_late and getattr(task, "acks_on_timeout", task.acks_on_failure_or_timeout)
