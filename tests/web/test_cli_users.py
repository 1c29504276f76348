"""`demine users add`, run in-process on a group registered the way cli.py will register it."""

from __future__ import annotations

from demine.cli import cli, run
from demine.cli.users import users
from demine.services.accounts import authenticate
from demine.services.register import open_register


def test_users_add(sqlite_register_url, monkeypatch):
    registered_here = "users" not in cli.commands  # until cli.py registers it; leave the group as found
    if registered_here:
        cli.add_command(users)
    monkeypatch.setenv("DEMINE_NEW_PASSWORD", "a long enough password")
    try:
        assert run(["--db", sqlite_register_url, "users", "add", "ira", "--role", "information_officer"]) == 0
        assert run(["--db", sqlite_register_url, "users", "add", "op", "--role", "operator"]) == 1  # no organisation
    finally:
        if registered_here:
            cli.commands.pop("users")
    register = open_register(sqlite_register_url)
    assert authenticate(register, "ira", "a long enough password").role.value == "information_officer"
    register.close()
