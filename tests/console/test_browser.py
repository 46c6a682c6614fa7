"""End to end in a real headless Chromium: sign in, claim, reveal, decide, action applied and hash
banked, re-upload blocked, appeal overturned. The same run takes the screenshots in docs/.

Chromium is Debian's package (scripts/install-browser.sh), driven by Playwright through
`executable_path`. Without it the tests skip, unless SEAWALL_REQUIRE_SERVICES=1, where they fail.
Screenshots go to docs/screenshots when SEAWALL_SCREENSHOTS=1, else to the test's tmp folder.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from seawall.review import appeals, testing
from seawall.storage.tables import DecisionRecord

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("SEAWALL_CHROMIUM", "/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _browser_or_skip():
    why = None
    try:
        from playwright.sync_api import sync_playwright  # noqa: F401
    except ImportError:
        why = "playwright is not installed"
    if why is None and not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} is missing (run scripts/install-browser.sh)"
    if why:
        if os.environ.get("SEAWALL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"browser tests need a browser: {why} (SEAWALL_REQUIRE_SERVICES=1)")
        pytest.skip(why)


class Server:
    """uvicorn serving the app on a free loopback port, in a thread, for the length of a test."""

    def __init__(self, app):
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("console server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def shots(tmp_path):
    folder = DOCS if os.environ.get("SEAWALL_SCREENSHOTS") == "1" else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
        return folder / f"{name}.png"

    return take


@pytest.fixture
def browser():
    _browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            yield b
        finally:
            b.close()


class MediaHost:
    """A stand-in for the platform's media CDN on loopback: the API fetches uploads from it and
    the console fetches them again to show the moderator."""

    def __init__(self, folder: Path):
        import functools
        from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

        class Quiet(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def media_host(tmp_path, console, monkeypatch):
    # Seawall refuses to fetch from loopback; this test's CDN lives there, so both fetchers
    # (the API's and the console's) are told to allow it, for this test only.
    from seawall.api import media
    from seawall.content.fetch import Fetcher

    fetcher = Fetcher(address_allowed=lambda ip: ip.is_loopback, allowed_ports=None)
    monkeypatch.setattr(media.CONFIG, "fetcher", fetcher)
    console.state.fetcher = fetcher
    folder = tmp_path / "cdn"
    folder.mkdir()
    with MediaHost(folder) as host:
        host.folder = folder
        yield host


def _data_url(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode()


def _reupload(path: Path, tmp: Path) -> Path:
    from PIL import Image

    im = Image.open(path).convert("RGB")
    out = tmp / "reupload.png"
    im.resize((im.width * 9 // 10, im.height * 9 // 10)).save(out)
    return out


def _sign_in(browser, base, username):
    page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
    page.goto(f"{base}/console/login")
    page.fill("#username", username)
    page.fill("#password", testing.PASSWORD)
    page.click("#sign-in")
    page.wait_for_url(f"{base}/console/")
    return page


def _pixel_spread(page) -> float:
    """How far apart the colour channels of the item image are (0 for a grayscale picture)."""
    return page.evaluate("""() => {
        const img = document.getElementById('item-image');
        const c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let spread = 0;
        for (let i = 0; i < d.length; i += 4) spread += Math.abs(d[i] - d[i + 1]) + Math.abs(d[i + 1] - d[i + 2]);
        return spread / (d.length / 4);
    }""")


def test_moderator_flow_from_claim_to_overturned_appeal(console, browser, shots, media_host, tmp_path):
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    testing.add_user(console.db, "lea", "senior_moderator", ["*"])
    testing.add_user(console.db, "root", "admin", ["*"])
    img = testing.synth_image(media_host.folder / "upload.png", seed=7, size=(480, 320), label="SYNTHETIC TEST IMAGE")
    with Server(console.app) as server:
        api = httpx.Client(base_url=server.url, timeout=30)
        first = api.post("/v1/items", json={"id": "post-1", "text": "look what happened [violence=0.8]",
                                            "image": media_host.url("upload.png"), "author_id": "alice", "lang": "en",
                                            "reach": 5000, "meta": {"test_detector": "graphic"}}).json()
        assert first["action"] == "review" and first["queues"] == ["violence"]

        page = _sign_in(browser, server.url, "mia")
        shots(page, "queues")
        page.click("a[href='/console/queues/violence']")
        page.wait_for_selector("#claim-next")
        shots(page, "queue")

        page.keyboard.press("n")                                     # claim next, by key
        page.wait_for_selector("#decide-form")
        page.wait_for_function("() => document.getElementById('item-image').complete")
        assert "view=original" not in page.get_attribute("#item-image", "src")
        assert _pixel_spread(page) < 12                              # grayscale but the amber outline
        assert page.inner_text("mark.ev") == "[violence=0.8]"        # the text evidence in place
        shots(page, "item-protected")

        page.keyboard.press("r")                                     # reveal, by key (htmx swap)
        page.wait_for_selector("#item-image.revealed")
        page.wait_for_function("() => document.getElementById('item-image').complete")
        assert _pixel_spread(page) > 20                              # colour is back
        shots(page, "item-revealed")

        page.keyboard.press("6")                                     # remove with strike, by key
        page.wait_for_selector("#outcome")
        assert page.inner_text("#current-action") == "remove with strike"
        assert "strike on alice — active" in page.inner_text("#ledger")
        assert "confirmed-violence" in page.inner_text("#banked")
        shots(page, "item-decided")

        again = api.post("/v1/items", json={"id": "post-2", "image": _data_url(_reupload(img, tmp_path)),
                                            "author_id": "bob"}).json()
        assert again["action"] == "remove_with_strike" and "violence_bank" in again["rules"]

        with console.db.session() as s:
            enforced = s.query(DecisionRecord).filter_by(content_id="post-1", origin="review").one()
            appeals.file_appeal(s, enforced.id, statement="This is a still from a film, not real.",
                                author_id="alice")

        lead = _sign_in(browser, server.url, "lea")
        lead.goto(f"{server.url}/console/queues/appeals")
        lead.keyboard.press("n")
        lead.wait_for_selector("#appeal-statement")
        assert "still from a film" in lead.inner_text("#appeal-statement")
        shots(lead, "appeal")
        lead.fill("#appeal-reason", "Verified film still; restoring.")
        lead.click("#overturn")
        lead.wait_for_selector("#outcome")
        assert lead.inner_text("#current-action") == "allow"
        assert "reversed" in lead.inner_text("#ledger")
        assert "removed" in lead.inner_text("#banked")
        assert "overturned" in lead.inner_text("#appeal-status")
        shots(lead, "appeal-overturned")

        third = api.post("/v1/items", json={"id": "post-3", "image": _data_url(_reupload(img, tmp_path)),
                                            "author_id": "carol"}).json()
        assert third["action"] == "allow"

        admin = _sign_in(browser, server.url, "root")
        admin.goto(f"{server.url}/console/audit")
        log = admin.inner_text("table.audit")
        for line in ("reveal media", "decide", "appeal decided"):
            assert line in log
        shots(admin, "audit")
        admin.goto(f"{server.url}/console/settings")
        shots(admin, "settings")


def test_moderator_is_kept_out_of_the_audit_log_and_other_queues(console, browser, tmp_path):
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    from seawall.types import Content

    testing.route(console.db, Content(id="h2", text="[hate=0.8] not yours"))
    with Server(console.app) as server:
        page = _sign_in(browser, server.url, "mia")
        assert "/console/audit" not in page.content()               # no link to it
        response = page.goto(f"{server.url}/console/audit")
        assert response.status == 403 and "Not allowed" in page.inner_text("h1")
        response = page.goto(f"{server.url}/console/queues/hate")
        assert response.status == 403


def test_the_console_is_usable_by_keyboard_alone(console, browser, tmp_path):
    from seawall.types import Content

    testing.add_user(console.db, "mia", "moderator", ["hate"])
    testing.route(console.db, Content(id="k", text="[hate=0.8] keyboard only", author_id="alice"))
    with Server(console.app) as server:
        page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
        page.goto(f"{server.url}/console/login")
        page.keyboard.type("mia")                                   # the user name field has focus
        page.keyboard.press("Tab")
        page.keyboard.type(testing.PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server.url}/console/")
        page.goto(f"{server.url}/console/queues/hate")
        page.keyboard.press("n")
        page.wait_for_selector("#decide-form")
        page.keyboard.press("1")                                    # allow
        page.wait_for_selector("#outcome")
        assert page.inner_text("#current-action") == "allow"
        page.keyboard.press("?")
        assert page.is_visible("#help")
