"""How far ahead the pool queues dumps to each child (workers/pace.py)."""
from __future__ import annotations

from workers.pace import DEPTH, MAX_DEPTH, Pace


def test_before_anything_is_measured_each_child_gets_the_first_depth():
    assert Pace().depth() == DEPTH


def test_a_child_gets_twice_a_transaction_of_its_work():
    # given dumps of 10 ms and transactions of 150 ms
    pace = Pace()
    pace.dumped(0.010)
    pace.committed(0.150)
    # then each child holds 300 ms of dumps: 30
    assert pace.depth() == 30


def test_short_transactions_still_leave_the_least_work_queued():
    # given dumps of 10 ms and transactions of 20 ms, then 200 ms of dumps are queued
    pace = Pace()
    pace.dumped(0.010)
    pace.committed(0.020)
    assert pace.depth() == 20


def test_the_depth_is_bounded_both_ways():
    # given very quick dumps, then no more than MAX_DEPTH; given very slow ones, then at least 2
    quick, slow = Pace(), Pace()
    quick.dumped(0.0001)
    quick.committed(1.0)
    slow.dumped(5.0)
    slow.committed(0.1)
    assert quick.depth() == MAX_DEPTH
    assert slow.depth() == 2


def test_the_times_are_running_averages():
    # given a first dump of 10 ms, then one of 110 ms, then the average moved a tenth of the way
    pace = Pace()
    pace.dumped(0.010)
    pace.dumped(0.110)
    assert abs(pace.per_dump - 0.020) < 1e-9
