"""The runner's progress bar (workers/runner.py `_progress`) costs the writer's process nothing
where nobody sees it."""
import io
import threading

from rich.console import Console

from workers.runner import _progress


def test_a_progress_bar_off_a_terminal_starts_no_redrawing_thread():
    # given a console writing to a file, not a terminal
    out = io.StringIO()
    console = Console(file=out, force_terminal=False)
    before = threading.active_count()
    # when the runner's progress bar runs and advances
    with _progress(console) as progress:
        task = progress.add_task("ingesting", total=3)
        progress.advance(task)
        running = threading.active_count()
    # then no thread redraws it, and nothing is shown (a line end, as when it was redrawn)
    assert running == before and out.getvalue().strip() == ""


def test_a_progress_bar_on_a_terminal_is_redrawn_four_times_a_second():
    # given a console on a terminal
    console = Console(file=io.StringIO(), force_terminal=True)
    # when the runner's progress bar runs
    with _progress(console) as progress:
        live = progress.live
        # then a thread redraws it, 4 times a second
        assert live.auto_refresh and live.refresh_per_second == 4
