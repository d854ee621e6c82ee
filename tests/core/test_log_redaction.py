"""No log line holds a credential carried in a URL path (apps/core/log_redaction.py): the
personal link, a one-time sign-in link, the reminder opt-out and a set-password link each
show their path with the token replaced by ``[hidden]``, whichever logger writes it. Nor an
email address: a mail server's refusal quotes the addresses it refused."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config
from gunicorn.glogging import Logger as GunicornLogger

from apps.core.log_redaction import HIDDEN, redact
from tests.security.matrix import all_routes

TOKEN = "c5a01d4cc9a7000a470168117f1f0235f7a01184"  # a stand-in, not a secret
# Fixed, not uuid4(): the paths are test ids, and xdist workers must collect the same ones.
PUBLIC_ID = "0c1f4b2e-5d6a-4e7f-8a9b-0c1d2e3f4a5b"


def _secret_paths() -> list[str]:
    """A path of every route whose URL carries a token, with TOKEN in it."""
    paths = []
    for route in all_routes():
        if "token" not in route.params:
            continue
        kwargs = {"token": TOKEN}
        if "public_id" in route.params:
            kwargs["public_id"] = PUBLIC_ID
        if "uidb64" in route.params:
            kwargs["uidb64"] = "MTI"
        paths.append(reverse(route.name, kwargs=kwargs))
    return paths


def test_every_route_carrying_a_token_is_known():
    # A new route with a token in its path must be added to SECRET_PATH: this lists them.
    assert len(_secret_paths()) == 4


@pytest.mark.parametrize("path", _secret_paths())
def test_django_request_warnings_hide_the_token_of_each_secret_path(path, caplog):
    logging.getLogger("django.request").warning("Bad Request: %s", path)

    assert TOKEN not in caplog.text
    assert HIDDEN in caplog.text
    assert caplog.records[0].getMessage() == f"Bad Request: {redact(path)}"


def test_paths_without_a_credential_are_logged_as_they_are(caplog):
    paths = ["/sign-in/link/", "/account/set-password/MTI/set-password/", "/patients/"]
    for path in paths:
        logging.getLogger("django.request").warning("Not Found: %s", path)

    assert [record.getMessage() for record in caplog.records] == [
        f"Not Found: {path}" for path in paths
    ]


def test_gunicorns_access_log_hides_the_token_in_the_request_line_and_the_referer(capsys):
    link = f"/p/{PUBLIC_ID}/{TOKEN}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": link,
        "PATH_INFO": link,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://clinic.example{link}",
        "HTTP_USER_AGENT": "phone",
    }
    config = Config()
    config.set("accesslog", "-")
    logger = GunicornLogger(config)
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[])
    request = SimpleNamespace(headers=[])

    logger.access(response, request, environ, timedelta(milliseconds=5))

    line = capsys.readouterr().out  # gunicorn's access log: "-" is standard output
    assert TOKEN not in line
    hidden = f"/p/{link.split('/')[2]}/{HIDDEN}/"
    assert f'"GET {hidden} HTTP/1.1" 200 1234 "https://clinic.example{hidden}"' in line


def _gunicorn_access_line(capsys, *, uri: str, referer: str) -> str:
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": uri,
        "PATH_INFO": uri.split("?")[0],
        "QUERY_STRING": uri.partition("?")[2],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "desk",
    }
    config = Config()
    config.set("accesslog", "-")
    response = SimpleNamespace(status="200 OK", sent=99, headers=[])
    GunicornLogger(config).access(
        response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5)
    )
    return str(capsys.readouterr().out)


def test_a_patient_search_is_hidden_in_the_request_line_and_the_referer(capsys):
    # Who is a patient of the clinic is health data: the search's words stay out of the log,
    # the other filters stay in it.
    line = _gunicorn_access_line(
        capsys,
        uri="/patients/?q=Jane+Doe&scope=all",
        referer="https://clinic.example/patients/?scope=mine&q=jane%40example.org",
    )

    assert "jane" not in line.lower()
    assert (
        f'"GET /patients/?q={HIDDEN}&scope=all HTTP/1.1" 200 99 '
        f'"https://clinic.example/patients/?scope=mine&q={HIDDEN}"'
    ) in line


def test_the_audit_logs_patient_search_is_hidden_in_the_request_line_and_the_referer(capsys):
    # The audit log finds its patient by name or email (``patient_search``): as much health
    # data as the patient list's ``q``. The other filters (a patient's reference) stay.
    line = _gunicorn_access_line(
        capsys,
        uri="/audit/?patient_search=Jane+Doe&action=view",
        referer="https://clinic.example/audit/?action=view&patient_search=jane%40example.org",
    )

    assert "jane" not in line.lower()
    assert (
        f'"GET /audit/?patient_search={HIDDEN}&action=view HTTP/1.1" 200 99 '
        f'"https://clinic.example/audit/?action=view&patient_search={HIDDEN}"'
    ) in line


def test_runservers_request_line_hides_a_search(caplog):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /patients/?q=Doe HTTP/1.1", 200, 9)

    assert caplog.records[0].getMessage() == f'"GET /patients/?q={HIDDEN} HTTP/1.1" 200 9'


def test_other_parameters_ending_in_q_are_logged_as_they_are(caplog):
    logging.getLogger("django.server").info("GET /reports/?faq=1&seq=2")

    assert caplog.records[0].getMessage() == "GET /reports/?faq=1&seq=2"


# --- Email addresses ------------------------------------------------------------------------

ADDRESS = "Ann.O'Lee+hip@mail.example"
SENDER = "no-reply@clamshell.local"
# smtplib's refusals as a mail server words them (Postfix), each quoting an address, with the
# words that must stay in the log.
REFUSALS = [
    (
        smtplib.SMTPRecipientsRefused(
            {ADDRESS: (550, f"5.1.1 <{ADDRESS}>: Recipient address rejected".encode())}
        ),
        '(550, b"5.1.1 <[hidden]>: Recipient address rejected")',
    ),
    (
        smtplib.SMTPSenderRefused(
            553, f"5.7.1 <{SENDER}>: Sender address rejected".encode(), SENDER
        ),
        "(553, b'5.7.1 <[hidden]>: Sender address rejected', '[hidden]')",
    ),
    (
        smtplib.SMTPDataError(554, f"5.7.1 <{ADDRESS}>: Relay access denied".encode()),
        '(554, b"5.7.1 <[hidden]>: Relay access denied")',
    ),
    (
        smtplib.SMTPResponseException(552, f"5.2.2 <{ADDRESS}>: Mailbox full".encode()),
        '(552, b"5.2.2 <[hidden]>: Mailbox full")',
    ),
]


@pytest.mark.parametrize(("refusal", "kept"), REFUSALS, ids=[type(r).__name__ for r, _ in REFUSALS])
def test_an_smtp_refusal_is_stored_and_logged_without_its_addresses(refusal, kept, caplog):
    logger = logging.getLogger("apps.notifications.services")
    logger.warning("staff email %s failed: %s", 7, refusal)  # the refusal as an argument
    try:
        raise refusal
    except smtplib.SMTPException:
        logger.warning("staff email to user %s not sent", 7, exc_info=True)  # a traceback

    for text in (redact(str(refusal)), redact(repr(refusal)), caplog.text):
        assert "@" not in text
        assert "Lee" not in text
        assert kept in text
    assert kept in caplog.records[0].getMessage()
    assert caplog.text.count(kept) == 2  # the first line's, and the traceback's last line's


def test_the_quotes_and_braces_around_an_address_are_kept():
    refused = {"ann@example.org": 550, "o'lee@example.org": 550}

    assert redact(repr(refused)) == "{'[hidden]': 550, \"[hidden]\": 550}"


def test_a_name_with_an_at_sign_but_no_domain_is_logged_as_it_is(caplog):
    # Celery names its workers so: "celery@host".
    logging.getLogger("celery.worker").info("%s ready.", "celery@worker1")

    assert caplog.records[0].getMessage() == "celery@worker1 ready."
