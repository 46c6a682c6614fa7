"""Pages and partials: queue order and filters, htmx swaps, breaks, escalation, reassignment, QA and stats."""

from seawall.review import testing
from seawall.review.queue import ReviewItem
from seawall.types import Content


def _items(db, n, queue_text="[hate=0.8]"):
    for i in range(n):
        testing.route(db, Content(id=f"i{i}", text=f"{queue_text} item {i}", lang="en" if i % 2 else "de",
                                  meta={"reach": 10 ** i}))


def test_queue_lists_the_widest_reach_first_and_filters_by_language(console):
    _items(console.db, 3)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    rows = mia.get("/console/queues/hate", headers={"Accept": "application/json"}).json()["open"]
    assert [r["priority"] for r in rows] == sorted((r["priority"] for r in rows), reverse=True)
    assert [r["lang"] for r in mia.get("/console/queues/hate?lang=de",
                                       headers={"Accept": "application/json"}).json()["open"]] == ["de", "de"]
    assert "due in" in mia.get("/console/queues/hate").text


def test_an_htmx_refresh_gets_only_the_rows(console):
    _items(console.db, 1)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    part = mia.get("/console/queues/hate", headers={"HX-Request": "true"}).text
    assert part.lstrip().startswith("<tbody") and "<html" not in part


def test_a_break_is_suggested_after_the_chosen_number_of_graphic_items(console, tmp_path):
    for i in range(2):
        img = testing.synth_image(tmp_path / f"graphic-{i}.png", seed=i)
        testing.route(console.db, Content(id=f"g{i}", text="[violence=0.8] x", image=str(img)))
    testing.add_user(console.db, "mia", "moderator", ["violence"])
    mia = console.sign_in("mia")
    mia.post("/console/settings", {"blur": "strong", "grayscale": "on", "break_after": "2", "text_size": "normal"})
    with console.db.session() as s:
        ids = [i.id for i in s.query(ReviewItem)]
    assert "Take a break" not in mia.get(f"/console/items/{ids[0]}").text
    assert "Take a break" in mia.get(f"/console/items/{ids[1]}").text
    mia.post("/console/break")
    assert "Take a break" not in mia.get(f"/console/items/{ids[1]}").text


def test_escalating_from_the_item_page_hands_it_to_seniors(console):
    _items(console.db, 1)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    testing.add_user(console.db, "lea", "senior_moderator", ["*"])
    mia = console.sign_in("mia")
    claim_id = int(mia.post("/console/queues/hate/claim").text.split("/console/claims/")[1].split("/")[0])
    r = mia.post(f"/console/claims/{claim_id}/escalate", {"reason": "coded slur I do not know", "to": "escalations"})
    assert "Escalated" in r.text
    lea = console.sign_in("lea")
    item = lea.post("/console/queues/escalations/claim")
    assert "coded slur I do not know" in item.text


def test_a_senior_reassigns_from_the_item_page(console):
    _items(console.db, 1)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    testing.add_user(console.db, "ben", "moderator", ["hate"])
    testing.add_user(console.db, "lea", "senior_moderator", ["*"])
    item_id = int(console.sign_in("mia").post("/console/queues/hate/claim").url.path.rsplit("/", 1)[1])
    lea = console.sign_in("lea")
    assert "Held by mia" in lea.get(f"/console/items/{item_id}").text
    lea.post(f"/console/items/{item_id}/reassign", {"to": "ben"})
    assert "Decide" in console.sign_in("ben").get(f"/console/items/{item_id}").text


def test_settings_refuse_values_outside_the_choices(console):
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    mia = console.sign_in("mia")
    r = mia.post("/console/settings", {"blur": "off", "break_after": "5", "text_size": "normal"})
    assert r.status_code == 400


def test_qa_and_stats_pages_for_the_roles_that_read_them(console, monkeypatch):
    monkeypatch.setenv("SEAWALL_QA_SHARE", "1")
    _items(console.db, 1)
    testing.add_user(console.db, "mia", "moderator", ["hate"])
    testing.add_user(console.db, "ben", "moderator", ["hate"])
    testing.add_user(console.db, "ann", "analyst", [])
    mia = console.sign_in("mia")
    claim_id = int(mia.post("/console/queues/hate/claim").text.split("/console/claims/")[1].split("/")[0])
    mia.post(f"/console/claims/{claim_id}/decide", {"action": "remove", "category": "hate"})
    ben = console.sign_in("ben")
    qa_item = ben.post("/console/queues/qa/claim")
    assert "first verdict is hidden" in qa_item.text
    qa_claim = int(qa_item.text.split("/console/claims/")[1].split("/")[0])
    ben.post(f"/console/claims/{qa_claim}/decide", {"action": "allow"})
    assert ben.get("/console/qa").status_code == 403
    ann = console.sign_in("ann")
    page = ann.get("/console/qa").text
    assert "mia" in page and "0%" in page
    assert ann.post("/console/sample", {"k": "5"}).status_code == 200
