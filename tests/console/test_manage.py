"""Creating the first console account from the command line."""

from seawall.console import manage
from seawall.review import testing, users


def test_add_user_creates_an_account_that_can_sign_in(tmp_path, monkeypatch, capsys):
    with testing.database("sqlite", tmp_path) as db:
        monkeypatch.setenv("SEAWALL_DATABASE_URL", db.url)
        monkeypatch.setenv("SEAWALL_CONSOLE_PASSWORD", "a long enough password")
        assert manage.main(["add-user", "root", "--role", "admin", "--queues", "*,child-safety"]) == 0
        assert manage.main(["list-users"]) == 0
        assert "root\tadmin\t*,child-safety\tactive" in capsys.readouterr().out
        with db.session() as s:
            assert users.authenticate(s, "root", "a long enough password").role == "admin"
        assert manage.main(["add-user", "root", "--role", "admin"]) == 2    # exists


def test_add_user_on_an_empty_database_says_what_to_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SEAWALL_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    assert manage.main(["list-users"]) == 2
    assert "seawall db upgrade" in capsys.readouterr().err
