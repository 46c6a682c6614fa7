"""Accounts, roles and wellbeing counters."""

from datetime import timedelta

import pytest

from seawall.errors import InvalidInput
from seawall.review import testing, users, wellbeing
from seawall.review.roles import Principal, restricted_queues
from seawall.review.tables import ConsoleUser
from seawall.storage.columns import utcnow


def test_password_is_stored_as_a_salted_scrypt_hash():
    h = users.hash_password("correct horse battery")
    assert h.startswith("scrypt$") and "correct" not in h
    assert users.verify_password("correct horse battery", h)
    assert not users.verify_password("wrong horse battery", h)
    assert users.hash_password("correct horse battery") != h


def test_five_wrong_passwords_lock_the_account(sqlite_db):
    testing.add_user(sqlite_db, "mia", "moderator")
    now = utcnow()
    with sqlite_db.session() as s:
        for _ in range(users.MAX_FAILED):
            assert users.authenticate(s, "mia", "wrong password!", now=now) is None
        # locked: even the right password is refused until the lockout ends
        assert users.authenticate(s, "mia", testing.PASSWORD, now=now) is None
        later = now + users.LOCKOUT + timedelta(seconds=1)
        assert users.authenticate(s, "mia", testing.PASSWORD, now=later).username == "mia"


def test_short_passwords_and_unknown_roles_are_refused(sqlite_db):
    with sqlite_db.session() as s:
        with pytest.raises(InvalidInput):
            users.create_user(s, "x", "short", role="moderator")
        with pytest.raises(ValueError, match="senior_moderator"):
            users.create_user(s, "x", "long enough password", role="boss")


def test_settings_are_validated_not_ignored():
    u = ConsoleUser(username="m", role="moderator", settings={})
    assert users.update_settings(u, {"blur": "light", "break_after": "12"})["break_after"] == 12
    for bad in ({"blur": "none"}, {"break_after": 0}, {"colour": "red"}):
        with pytest.raises(InvalidInput):
            users.update_settings(u, bad)


def test_roles_capabilities():
    mod = Principal("m", "moderator", ("hate",))
    analyst = Principal("a", "analyst", ("*",))
    admin = Principal("r", "admin", ("*",))
    assert mod.can_open_queue("hate") and not mod.can_open_queue("fraud")
    assert not mod.can("audit") and not mod.can("reassign") and not mod.can_open_queue("appeals")
    assert not analyst.can_open_queue("hate") and analyst.can("export")
    assert admin.can("audit") and admin.can_open_queue("fraud") and not admin.can_open_queue("child-safety")


def test_more_restricted_queues_can_be_configured():
    assert restricted_queues({"SEAWALL_CONSOLE_RESTRICTED_QUEUES": "terrorism, "}) == {"child-safety", "terrorism"}


def test_graphic_items_are_counted_once_per_shift_and_a_break_resets(sqlite_db):
    testing.add_user(sqlite_db, "mia", "moderator")
    with sqlite_db.session() as s:
        user = users.get_user(s, "mia")
        for item in (1, 2, 2, 3):
            wellbeing.note_seen(s, user, item, graphic=item != 3)
        wellbeing.note_seen(s, user, 1, graphic=True, revealed=True)
        c = wellbeing.counts(s, user, break_after=2)
        assert (c.items, c.graphic, c.revealed, c.needs_break) == (3, 2, 1, True)
        wellbeing.snooze(s, user, break_after=2)
        assert not wellbeing.counts(s, user, break_after=2).needs_break
        wellbeing.take_break(s, user)
        assert wellbeing.counts(s, user, break_after=2).graphic == 0


def test_a_long_shift_starts_a_fresh_count(sqlite_db):
    testing.add_user(sqlite_db, "mia", "moderator")
    now = utcnow()
    with sqlite_db.session() as s:
        user = users.get_user(s, "mia")
        wellbeing.note_seen(s, user, 1, graphic=True, now=now)
        later = now + wellbeing.SHIFT_LENGTH + timedelta(minutes=1)
        assert wellbeing.counts(s, user, break_after=5, now=later).graphic == 0
