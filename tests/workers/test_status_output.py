"""`ingest status` as an operator reads it in a log file: the whole store URL, no password."""
import subprocess

from tests.integration.processes import BIN


def test_status_shows_the_whole_store_url_with_the_password_hidden(tmp_path, env, pg_url):
    url = pg_url.replace("postgresql://postgres@", "postgres://postgres:s3cret@")
    done = subprocess.run([str(BIN / "ingest"), "status"], capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "INGEST_STORE_URL": url})
    assert done.returncode == 0, done.stderr
    store_line = next(line for line in done.stdout.splitlines() if "store" in line)
    expected = "postgresql+psycopg://postgres:***@" + pg_url.split("@", 1)[1]
    assert expected.replace("%3D", "=") in store_line.replace("%3D", "=") and "s3cret" not in done.stdout
