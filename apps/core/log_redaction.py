"""No log line holds a credential carried in a URL path.

Four pages carry their credential in the path: the patient's personal link
(``/p/<id>/<token>/``), a one-time sign-in link (``/sign-in/link/<token>/``), the reminder
opt-out (``/reminders/stop/<token>/``) and a staff member's set-password link
(``/account/set-password/<uid>/<token>/``). Django logs the path of every 4xx answer
(``django.request``: "Bad Request: /p/.../<token>/" for a mistyped year of birth, whose link
still works), ``django.security`` the path of a refused CSRF token, runserver and gunicorn
every request line and its Referer. Whoever reads the logs (an operator, a log service, a
backup of them) would hold working links.

Two query parameters are hidden for the same readers: ``q``, the staff's search of patients
by name or email (``/patients/?q=Jane+Doe``), which would put who is a patient of the clinic
into every access log line, and ``patient_search``, the audit log's search of a patient by
the same (``/audit/?patient_search=Jane+Doe``). The library's search shares the name ``q``
and is hidden with it.

Nor does any email address (a patient's, a colleague's): a mail server that refuses a message
quotes the addresses it refused ("550 5.1.1 <ann@example.org>: Recipient address rejected"),
and that refusal reaches the log as the message's argument, in Celery's line about a failed
task and in the traceback of either. The same ``redact`` keeps them out of the errors stored
on the rows of messages that failed (``apps.core.outbox``, ``apps.notifications.delivery``),
which staff and operators read.

The token is replaced when each log record is made (``logging.setLogRecordFactory``), not
by a filter on some handlers: a filter sees only the records of the loggers and handlers it
is attached to, and these lines come from Django's loggers, runserver's and gunicorn's
(whose access log is written in the worker process that loads this app), each with its own
handlers. One factory covers every logger of the process, present and future.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

HIDDEN = "[hidden]"
# The part of each such path before its token (a set-password link's second step, which
# Django's view redirects to, ends in the literal "set-password/" and is left as it is).
SECRET_PATH = re.compile(
    r"(?P<keep>/p/[0-9a-fA-F-]{36}/"
    r"|/sign-in/link/"
    r"|/reminders/stop/"
    r"|/account/set-password/[^/\s\"'?#]+/(?!set-password/))"
    r"[^/\s\"'?#]+"
)
# A search's words, up to the next parameter or the end of the URL as a log line shows it.
SEARCH_QUERY = re.compile(r"(?P<keep>[?&](?:q|patient_search)=)[^&\s\"'#]*")
# An email address: a domain with at least one dot (Celery's "celery@host" worker names stay).
# The local part may hold an apostrophe (o'lee@...) but not begin with one, so the quotes
# and braces of a Python repr around an address ({'ann@example.org': ...}) are kept and the
# address is hidden whole.
EMAIL_ADDRESS = re.compile(r"(?P<keep>)[\w!#$%&*+/=?^`~-][\w.!#$%&'*+/=?^`~-]*@[\w-]+(?:\.[\w-]+)+")
_MARKERS = (
    "/p/",
    "/sign-in/link/",
    "/reminders/stop/",
    "/account/set-password/",
    "q=",
    "patient_search=",
    "@",
)

RecordFactory = Callable[..., logging.LogRecord]


def redact(text: str) -> str:
    """``text`` with the token of every credential-carrying path, the words of every search
    (``?q=``) and every email address replaced by ``[hidden]``."""
    for pattern in (SECRET_PATH, SEARCH_QUERY, EMAIL_ADDRESS):
        text = pattern.sub(lambda match: match.group("keep") + HIDDEN, text)
    return text


def _may_hold_secret(value: Any) -> bool:
    if isinstance(value, BaseException):  # logged as its words: a refusal quoting an address
        value = _words(value)
    return isinstance(value, str) and any(marker in value for marker in _MARKERS)


def _words(error: BaseException) -> str:
    try:
        return str(error)
    except Exception:  # an exception whose words fail; logging reports it when emitted
        return ""


def _record_may_hold_secret(record: logging.LogRecord) -> bool:
    if _may_hold_secret(record.msg):
        return True
    args = record.args
    values = args.values() if isinstance(args, dict) else (args or ())
    return any(_may_hold_secret(value) for value in values)


def redacting(factory: RecordFactory) -> RecordFactory:
    """``factory`` whose records have their message's tokens hidden. A record that may hold
    one is formatted once here (message and arguments joined), the rest are left as made."""

    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        if record.exc_info and record.exc_info[1] is not None:
            _redact_traceback(record)
        if not _record_may_hold_secret(record):
            return record
        try:
            message = record.getMessage()
        except Exception:  # a malformed call; logging reports it when the record is emitted
            return record
        hidden = redact(message)
        if hidden != message:
            record.msg, record.args = hidden, ()
        return record

    make.redacts_secret_paths = True  # type: ignore[attr-defined]
    return make


def _redact_traceback(record: logging.LogRecord) -> None:
    """Hide what ``redact`` hides in the record's traceback (the error's words, and those of
    any error it was raised from): written here as the standard formatter writes it
    (``exc_text``, which every formatter then prints instead of writing its own). Only when
    there is something to hide: the rest are left to their formatter."""
    assert record.exc_info is not None
    text = _FORMATTER.formatException(record.exc_info)
    hidden = redact(text)
    if hidden != text:
        record.exc_text = hidden


_FORMATTER = logging.Formatter()


def install() -> None:
    """Make every log record of this process through ``redacting`` (once)."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "redacts_secret_paths", False):
        logging.setLogRecordFactory(redacting(current))
