"""Who may open what: queues, items, the audit log; one action per claim; CSRF and sessions."""

from datetime import timedelta

from sqlalchemy import update

from seawall.review import testing
from seawall.review.queue import ReviewItem
from seawall.review.tables import AuditEvent, ConsoleSession
from seawall.storage.columns import utcnow
from seawall.types import Content


def _hate_item(db, cid="h1"):
    testing.route(db, Content(id=cid, text="[hate=0.8] you people", author_id="alice", lang="en"))
    with db.session() as s:
        return s.query(ReviewItem).filter_by(content_id=cid).one().id


def test_moderator_cannot_open_a_queue_outside_their_grants(console):
    _hate_item(console.db)
    testing.add_user(console.db, "mia", "moderator", ["fraud"])
    mia = console.sign_in("mia")
    r = mia.get("/console/queues/hate")
    assert r.status_code == 403 and "Not allowed" in r.text
    assert "hate" not in mia.get("/console/").text.split("<main")[1]


def test_moderator_cannot_open_an_item_outside_their_queues(console):
    item_id = _hate_item(console.db)
    testing.add_user(console.db, "mia", "moderator", ["fraud"])
    mia = console.sign_in("mia")
    assert mia.get(f"/console/items/{item_id}").status_code == 403
    assert mia.get(f"/console/items/{item_id}/media/image").status_code == 403


def test_moderator_cannot_see_the_audit_log_and_an_admin_sees_who_viewed_what(console):
    item_id = _hate_item(console.db)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    testing.add_user(console.db, "root", "admin", ["*"])
    mia = console.sign_in("mia")
    assert mia.get(f"/console/items/{item_id}").status_code == 200
    assert mia.get("/console/audit").status_code == 403
    root = console.sign_in("root")
    page = root.get("/console/audit?action=view_item").text
    assert "mia" in page and "view item" in page


def test_a_claim_is_acted_on_once(console):
    _hate_item(console.db)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    item = mia.post("/console/queues/hate/claim")
    claim_id = int(item.text.split("/console/claims/")[1].split("/")[0])
    first = mia.post(f"/console/claims/{claim_id}/decide", {"action": "remove", "category": "hate"})
    assert first.status_code == 200 and "Decision recorded" in first.text
    again = mia.post(f"/console/claims/{claim_id}/decide", {"action": "allow"})
    assert again.status_code == 409


def test_a_post_without_the_csrf_token_is_refused(console):
    _hate_item(console.db)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    r = mia.client.post("/console/queues/hate/claim", data={})
    assert r.status_code == 403
    r = mia.client.post("/console/queues/hate/claim", data={"csrf": mia.csrf},
                        headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    with console.db.session() as s:
        assert s.query(ReviewItem).one().status == "open"


def test_signed_out_requests_go_to_sign_in_and_come_back(console):
    c = console.client()
    r = c.get("/console/queues/hate?lang=de", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login?next=/console/queues/hate%3Flang%3Dde"
    assert c.post("/console/queues/hate/claim", data={}).status_code == 401


def test_an_idle_session_expires(console):
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    assert mia.get("/console/").url.path == "/console/"
    with console.db.session() as s:
        s.execute(update(ConsoleSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    assert mia.get("/console/").url.path == "/console/login"


def test_signing_out_ends_the_session(console):
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    mia.post("/console/logout")
    assert mia.get("/console/").url.path == "/console/login"


def test_wrong_password_is_refused_and_audited(console):
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    c = console.client()
    token = c.get("/console/login").text.split('name="login_token" value="')[1].split('"')[0]
    r = c.post("/console/login", data={"login_token": token, "username": "mia", "password": "nope nope nope"})
    assert r.status_code == 401
    with console.db.session() as s:
        assert s.query(AuditEvent).filter_by(action="sign_in_failed", actor="mia").count() == 1


def test_sign_in_never_redirects_off_the_console(console):
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    c = console.client()
    token = c.get("/console/login").text.split('name="login_token" value="')[1].split('"')[0]
    r = c.post("/console/login", data={"login_token": token, "username": "mia", "password": testing.PASSWORD,
                                       "next": "//evil.example/x"}, follow_redirects=False)
    assert r.headers["location"] == "/console/"


def test_the_original_image_is_served_only_after_an_audited_reveal(console, tmp_path):
    img = testing.synth_image(tmp_path / "graphic-1.png")
    testing.route(console.db, Content(id="g", text="[violence=0.8] look", image=str(img)))
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    mia = console.sign_in("mia")
    page = mia.post("/console/queues/violence/claim")
    item_id = int(page.url.path.rsplit("/", 1)[1])
    assert mia.get(f"/console/items/{item_id}/media/image?view=original").status_code == 403
    assert mia.get(f"/console/items/{item_id}/media/image").status_code == 200
    assert mia.post(f"/console/items/{item_id}/reveal", {"kind": "image"}).status_code == 200
    assert mia.get(f"/console/items/{item_id}/media/image?view=original").status_code == 200
    with console.db.session() as s:
        reveal = s.query(AuditEvent).filter_by(action="reveal_media").one()
        assert (reveal.actor, reveal.item_id, reveal.sensitive) == ("mia", item_id, True)


def test_analysts_export_labels_but_open_no_items(console):
    item_id = _hate_item(console.db)
    testing.add_user(console.db, "ann", "analyst", ["*"])
    ann = console.sign_in("ann")
    assert ann.get(f"/console/items/{item_id}").status_code == 403
    assert ann.post("/console/queues/hate/claim").status_code == 403
    r = ann.get("/console/export/labels.jsonl")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")


def test_child_safety_items_need_a_named_grant(console):
    testing.route(console.db, Content(id="cs", text="[sexual/minors=0.8] synthetic test marker"))
    testing.add_user(console.db, "root", "admin", ["*"])
    testing.add_user(console.db, "cara", "senior_moderator", ["child-safety"])
    with console.db.session() as s:
        item_id = s.query(ReviewItem).filter_by(queue="child-safety").one().id
    assert console.sign_in("root").get(f"/console/items/{item_id}").status_code == 403
    assert console.sign_in("cara").get(f"/console/items/{item_id}").status_code == 200


def test_static_files_come_only_from_the_vendored_list(console):
    c = console.client()
    assert c.get("/console/static/htmx.min.js").status_code == 200
    assert c.get("/console/static/..%2F..%2Fsettings.py").status_code == 404
    assert c.get("/console/static/app.py").status_code == 404


def test_pages_carry_security_headers_and_are_not_cached(console):
    r = console.client().get("/console/login")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY" and r.headers["cache-control"] == "no-store"
    assert "cdn" not in r.text.lower()


def test_mounted_by_default_the_console_banks_into_the_bank_service(db):
    from fastapi import FastAPI

    from seawall.console import mount
    from seawall.feedback import MediaBanker
    from seawall.feedback.banking import ServiceBanks

    state = mount(FastAPI(), db)
    banker = next(s for s in state.subscribers if isinstance(s, MediaBanker))
    assert isinstance(banker.sink, ServiceBanks)
