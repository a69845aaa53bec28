"""What is on the queue, read from the real Redis: the reaper re-sends only dumps that no
message carries, and counts a delivery a dead worker still holds as carrying nothing."""
import time

from config.settings import Settings
from workers.queue import BATCH, MIN_MESSAGES, Queue, batches


def test_on_queue_sees_waiting_and_freshly_delivered_messages_only(redis_url, queue_name):
    queue = Queue(Settings(broker_url=redis_url, queue=queue_name))
    # given two dumps sent, one of them delivered to a consumer that has not acknowledged it
    queue.submit(["dump-a", "dump-b"])
    assert queue.on_queue(stale_after=60) == {"dump-a", "dump-b"}
    with queue.app.connection_for_write() as conn:
        simple = conn.SimpleQueue(queue_name)
        delivered = simple.get(timeout=10)
        try:
            # then a delivery made just now still counts
            assert queue.on_queue(stale_after=60) == {"dump-a", "dump-b"}
            # but one older than the lease (its worker is dead) does not
            time.sleep(0.1)
            waiting = queue.on_queue(stale_after=0.05)
            assert len(waiting) == 1 and waiting < {"dump-a", "dump-b"}
        finally:
            delivered.requeue()
            simple.close()


def test_on_queue_sees_every_dump_of_a_batch_message(redis_url, queue_name):
    queue = Queue(Settings(broker_url=redis_url, queue=queue_name))
    # given enough dumps sent at once to go in batches of several per message
    ids = [f"dump-{i:03d}" for i in range(MIN_MESSAGES * BATCH)]
    queue.submit(ids)
    # then fewer messages than dumps are waiting, and each dump counts as on the queue
    assert queue.depth()["waiting"] == MIN_MESSAGES
    assert queue.on_queue(stale_after=60) == set(ids)


def test_few_dumps_go_one_per_message_many_in_short_batches_in_order():
    settings = Settings()
    # given a few dumps, then each has a message of its own (they spread over every worker)
    few = [f"d{i}" for i in range(2 * MIN_MESSAGES - 1)]
    assert batches(few, settings) == [[i] for i in few]
    # given many, then no message carries more than BATCH, and every dump is sent once, in order
    many = [f"d{i}" for i in range(1000)]
    sent = batches(many, settings)
    assert max(len(b) for b in sent) == BATCH and [i for b in sent for i in b] == many


def test_a_batch_never_outlasts_the_visibility_timeout():
    # given dumps that may take 600 s each, and Redis handing a message out again after an hour
    settings = Settings(task_time_limit=600, visibility_timeout=3600)
    # then a message's time limits (the sum of its dumps') stay within the visibility timeout
    sent = batches([f"d{i}" for i in range(1000)], settings)
    assert max(len(b) for b in sent) * (600 + 30) <= 3600
