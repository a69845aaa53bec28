"""The status page in a real headless browser (Debian's chromium, driven by selenium), after
`ingest run seeds/` and with `ingest serve` running as its own process."""
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from tests.integration.processes import BIN, Proc

CHROMIUM = os.environ.get("INGEST_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("INGEST_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-extensions",
         "--disable-background-networking", "--disable-sync", "--no-first-run", "--window-size=1280,2000")


def browser():
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


def test_the_status_page_shows_the_seed_articles_and_the_counts(tmp_path, seeds_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("INGEST_") and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(INGEST_DATA_DIR=str(tmp_path / "data"), INGEST_INBOX=str(tmp_path / "inbox"))
    done = subprocess.run([str(BIN / "ingest"), "run", str(seeds_dir)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    server = Proc([str(BIN / "ingest"), "serve", "--port", str(port)], env, tmp_path / "serve.log", tmp_path)
    driver = None
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        driver = browser()
        from selenium.webdriver.common.by import By
        driver.get(f"http://127.0.0.1:{port}/")
        assert driver.title == "ingest status"
        assert driver.find_element(By.CSS_SELECTOR, 'meta[http-equiv="refresh"]').get_attribute("content") == "10"
        # the same page held still, so that its elements are not replaced while they are read
        driver.get(f"http://127.0.0.1:{port}/?refresh=0")
        assert not driver.find_elements(By.CSS_SELECTOR, 'meta[http-equiv="refresh"]')
        rows = driver.find_elements(By.CSS_SELECTOR, "#articles tr.article")
        assert len(rows) == 5
        shown = {r.get_attribute("data-id"): r.find_element(By.CSS_SELECTOR, "td.title").text for r in rows}
        exported = subprocess.run([str(BIN / "ingest"), "export"], env=env, cwd=tmp_path, capture_output=True,
                                  text=True, timeout=120).stdout.splitlines()
        stored = {a["id"]: " ".join((a["title"] or "(untitled)").split()) for a in map(json.loads, exported)}
        assert shown == stored
        count = {name: driver.find_element(By.ID, name).text
                 for name in ("dumps-done", "dumps-failed", "dumps-queued", "articles-original", "articles-duplicate")}
        assert count == {"dumps-done": "5", "dumps-failed": "0", "dumps-queued": "0",
                         "articles-original": "4", "articles-duplicate": "1"}
        # the duplicate names its original, and the original lists its duplicate
        duplicate = next(r for r in rows if r.find_elements(By.XPATH, "./td[4][starts-with(normalize-space(), 'duplicate of')]"))
        original_id = duplicate.find_element(By.XPATH, "./td[4]/code").text
        original = next(r for r in rows if r.get_attribute("data-id") == original_id)
        assert duplicate.get_attribute("data-id") in original.find_element(By.XPATH, "./td[5]").text
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
