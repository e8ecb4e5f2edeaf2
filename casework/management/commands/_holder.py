"""Unlocking a key holder's keys on the command line (not a command itself)."""

from __future__ import annotations

import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from vault import custody
from vault.exceptions import InvalidPassphraseError


def user_named(username: str):
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No account named {username!r}.")
    return user


def unlock_holder(username: str, password_stdin: bool):
    """Ask the holder's password (never echoed) and return (user, unlocked keys)."""
    holder = user_named(username)
    password = sys.stdin.readline().rstrip("\n") if password_stdin else getpass.getpass(f"Password of {username}: ")
    try:
        keys = custody.unlock(holder, password)
    except InvalidPassphraseError as exc:
        raise CommandError("That password does not unlock the key.") from exc
    if keys is None:
        raise CommandError(f"{username!r} has no key pair.")
    return holder, keys
