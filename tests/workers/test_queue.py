"""What is on the queue, read from the real Redis: the reaper re-sends only dumps that no
message carries, and counts a delivery a dead worker still holds as carrying nothing."""
import time

from config.settings import Settings
from workers.queue import Queue


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
