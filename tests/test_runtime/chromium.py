"""A real headless Chromium for page tests, driven over WebDriver's plain HTTP API.

Needs Debian's ``chromium`` and ``chromium-driver``; ``requires_chromium`` skips with a reason
without them.
"""

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
requires_chromium = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="chromium and chromedriver not found (apt-get install -y chromium chromium-driver)")

CHROME_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _webdriver(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read().decode("utf-8"))["value"]


def wait_for(predicate, timeout=30.0):
    """The first truthy ``predicate()`` within ``timeout`` seconds, else its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def _reachable(url):
    try:
        urllib.request.urlopen(url, timeout=1).close()
        return True
    except (OSError, ValueError):
        return False


class _Session(object):
    def __init__(self, base, session):
        self._base, self._session = base, session

    def open(self, url):
        _webdriver(self._base, "POST", "/session/{}/url".format(self._session), {"url": url})

    def execute(self, script):
        """Run ``script`` (a function body) in the page; returns what it returns."""
        return _webdriver(self._base, "POST", "/session/{}/execute/sync".format(self._session),
                          {"script": script, "args": []})


@contextlib.contextmanager
def chromium_session(profile_dir):
    """A headless Chromium session (``open(url)``, ``execute(script)``) with its profile in
    ``profile_dir``; closed with its driver on exit."""
    driver_port = free_port()
    driver = subprocess.Popen([CHROMEDRIVER, "--port={}".format(driver_port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base, session = "http://127.0.0.1:{}".format(driver_port), None
    try:
        assert wait_for(lambda: _reachable(base + "/status"))
        capabilities = {"browserName": "chrome", "goog:chromeOptions": {
            "binary": CHROMIUM, "args": CHROME_ARGS + ["--user-data-dir={}".format(profile_dir)]}}
        session = _webdriver(base, "POST", "/session",
                             {"capabilities": {"alwaysMatch": capabilities}})["sessionId"]
        yield _Session(base, session)
    finally:
        if session is not None:
            _webdriver(base, "DELETE", "/session/{}".format(session))
        driver.terminate()
        driver.wait(10)
