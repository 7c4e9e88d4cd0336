"""The password policy: long enough, not common, not built from the obvious words. No composition rules.

ASVS 5.0 6.2.1/6.2.4/6.2.5 (NIST SP 800-63B §3.1.1.2): a minimum length, a check against a list of common
passwords and against context words (the application's and the user's own names), and nothing about upper case,
digits or symbols, which push users to "Password1!" rather than to long phrases.

* ``check_password(password, username=None, context=())`` raises :class:`PasswordPolicyError` with a translated
  message; our code (the CLI, ``KkmpSecurityManager.add_user`` and ``reset_password``) calls it.
* ``fab_password_validator`` is what ``FAB_PASSWORD_COMPLEXITY_VALIDATOR`` points at, so FAB's user add form, its
  reset-password forms and its user API apply the same rules. FAB hands it the password only; the username and
  names are taken from the request (the form being submitted, or the user whose password is being reset).

Config: ``KKMP_PASSWORD_MIN_LENGTH`` (10) and ``KKMP_PASSWORD_CONTEXT_WORDS`` (the application's own words).
"""
import os
import re
from functools import lru_cache

from flask import current_app, g, has_app_context, has_request_context, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError

COMMON_PASSWORDS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "common_passwords.txt")
DEFAULT_MIN_LENGTH = 10
DEFAULT_CONTEXT_WORDS = ("koperasi", "merahputih", "kkmp", "kdmp", "kopdes", "kopkel", "kelurahan")
# Context words shorter than this are ignored (a username "ali" must not veto every password containing "ali").
MIN_CONTEXT_WORD = 4
# What must be left of a password once the context words are taken out of it.
MIN_REMAINDER = 6
MIN_DISTINCT_CHARACTERS = 4

TOO_SHORT = _l("The password must be at least %(min)d characters long. A few unrelated words make a good one.")
TOO_COMMON = _l("This password is on the list of common passwords. Choose a longer phrase that others would not "
                "guess.")
TOO_REPETITIVE = _l("This password repeats the same few characters. Choose a longer phrase that others would not "
                    "guess.")
FROM_CONTEXT = _l("This password is built from the name of the application, the cooperative or the user. Choose a "
                  "phrase that others would not guess.")


class PasswordPolicyError(DomainError, PasswordComplexityValidationError):
    """The password breaks the policy; ``str()`` gives the message in the current language.

    A :class:`DomainError` (field ``password``) for our views and CLI, and FAB's own exception for its validators.
    """

    def __init__(self, message, **params):
        super().__init__(message, "password")
        self.params = params

    def __str__(self):
        text = str(self.message)
        return text % self.params if self.params else text


@lru_cache(maxsize=4)
def common_passwords(path=COMMON_PASSWORDS_FILE):
    """The shipped list of common passwords, lower case (a frozenset, read once per process)."""
    with open(path, encoding="utf-8") as f:
        return frozenset(line.strip().lower() for line in f if line.strip() and not line.startswith("#"))


def _setting(name, default):
    if has_app_context():
        return current_app.config.get(name, default)
    return default


def _alnum(text):
    return "".join(ch for ch in text.lower() if ch.isalnum())


def context_words(*values):
    """Normalised words from usernames, names and e-mail addresses: the whole value and each of its parts."""
    words = set()
    for value in values:
        if not value:
            continue
        value = str(value).lower()
        if "@" in value:
            value = value.split("@", 1)[0]
        for word in [value] + re.split(r"[^\w]+|_", value):
            word = _alnum(word)
            if len(word) >= MIN_CONTEXT_WORD:
                words.add(word)
    return words


def context_words_for_user(user):
    """The words a user's own password must not be built from."""
    if user is None:
        return set()
    return context_words(user.username, user.first_name, user.last_name, user.email)


def check_password(password, username=None, context=()):
    """Raise :class:`PasswordPolicyError` unless ``password`` is acceptable.

    :param username: the account's username (its parts count as context words).
    :param context: more context words or values (names, e-mail address).
    """
    min_length = int(_setting("KKMP_PASSWORD_MIN_LENGTH", DEFAULT_MIN_LENGTH))
    if not password or len(password) < min_length:
        raise PasswordPolicyError(TOO_SHORT, min=min_length)
    common = common_passwords()
    lowered = password.strip().lower()
    core = _alnum(password)
    if {lowered, re.sub(r"\s+", "", lowered), core} & common:
        raise PasswordPolicyError(TOO_COMMON)
    if len(set(lowered)) < MIN_DISTINCT_CHARACTERS:
        raise PasswordPolicyError(TOO_REPETITIVE)
    words = context_words(username, *context) | context_words(
        *_setting("KKMP_PASSWORD_CONTEXT_WORDS", DEFAULT_CONTEXT_WORDS))
    remainder = core
    for word in sorted(words, key=len, reverse=True):
        remainder = remainder.replace(word, "")
    if remainder != core and (len(remainder) < MIN_REMAINDER or remainder.isdigit() or remainder in common):
        raise PasswordPolicyError(FROM_CONTEXT)


def _request_context_words():
    """Context words for a password submitted in the current request (FAB gives its validator the password only)."""
    if not has_request_context():
        return set()
    values = []
    data = request.form.to_dict() if request.form else {}
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        data.update({k: v for k, v in body.items() if isinstance(v, str)})
    values += [data.get(key) for key in ("username", "first_name", "last_name", "email")]
    words = context_words(*values)
    sm = current_app.appbuilder.sm
    endpoint = request.endpoint or ""
    user = None
    if endpoint.startswith("ResetMyPasswordView."):
        user = getattr(g, "user", None)
    elif endpoint.startswith("ResetPasswordView."):
        pk = request.args.get("pk")
        user = sm.get_user_by_id(pk) if pk else None
    elif endpoint.startswith("UserApi.") and (request.view_args or {}).get("pk") is not None:
        user = sm.get_user_by_id(request.view_args["pk"])
    if user is not None and getattr(user, "is_authenticated", False):
        words |= context_words_for_user(user)
    return words


def fab_password_validator(password):
    """``FAB_PASSWORD_COMPLEXITY_VALIDATOR``: FAB turns the exception into a form or API validation error."""
    check_password(password, context=_request_context_words())
