"""A real JupyterLab server and a headless Chromium for the browser tests.

The server runs from this interpreter's environment on 127.0.0.1, a free port, with a token, in a
temporary copy of notebooks/ (the committed notebooks are never touched), and is stopped at the
end whatever happens. Chromium is Debian's (/usr/bin/chromium), driven by Playwright.
"""

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    def __init__(self, url, token, runtime_dir):
        self.url, self.token, self.runtime_dir = url, token, runtime_dir

    def api(self, path):
        with urllib.request.urlopen(f"{self.url}{path}?token={self.token}", timeout=10) as response:
            return json.load(response)

    def shut_down_kernels(self):
        """Shuts every running kernel down, so that the next notebook does not share the CPU with it."""
        for kernel in self.api("/api/kernels"):
            request = urllib.request.Request(f"{self.url}/api/kernels/{kernel['id']}?token={self.token}",
                                             method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()
        assert self.api("/api/kernels") == [], "a kernel is still running"

    def kernel_client(self, notebook):
        """A jupyter_client connected to the kernel of the open notebook ``notebook``."""
        from jupyter_client import BlockingKernelClient

        sessions = [s for s in self.api("/api/sessions") if s["path"] == notebook]
        assert sessions, f"{notebook}: no kernel session is open"
        kernel = sessions[0]["kernel"]["id"]
        client = BlockingKernelClient(connection_file=str(self.runtime_dir / f"kernel-{kernel}.json"))
        client.load_connection_file()
        client.start_channels()
        client.wait_for_ready(timeout=30)
        return client


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    notebooks = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = base / "settings" / "@jupyterlab"
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "notebook-extension").mkdir(parents=True)
    # No "get notified about Jupyter news?" toast over the notebooks.
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Every cell in the page, not only those scrolled into view, so that every output can be checked.
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    runtime = base / "runtime"
    env = os.environ | {"JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
                        "JUPYTERLAB_WORKSPACES_DIR": str(base / "ws"), "JUPYTER_RUNTIME_DIR": str(runtime)}
    port, token = _free_port(), secrets.token_hex(16)
    log = open(base / "lab.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={notebooks}", "--allow-root",
         "--LabApp.expose_app_in_browser=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        lab = Lab(url, token, runtime)
        deadline = time.monotonic() + 60
        while True:
            try:
                lab.api("/api/status")
                break
            except OSError as error:
                if time.monotonic() > deadline or server.poll() is not None:
                    log_text = (base / "lab.log").read_text()
                    raise RuntimeError(f"JupyterLab did not start; its log:\n{log_text}") from error
                time.sleep(0.5)
        yield lab
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


@pytest.fixture(autouse=True)
def one_kernel_at_a_time(request):
    """After each test, the kernels it started are shut down: notebooks' kernels left computing side by
    side made the run several times slower on two cores."""
    yield
    if "lab" in request.fixturenames:
        request.getfixturevalue("lab").shut_down_kernels()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
