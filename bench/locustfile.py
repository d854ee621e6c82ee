"""Simulated phones and therapists for ``make load`` (``bench/load_test.py`` runs it headless).

Each ``Patient`` user is one patient of the seeded clinic, signed in by the session the harness
made for them (``bench.data.session_for``), and behaves as the Today page's script does
(apps/portal/static/js/today.mjs): it opens ``/today/``, then logs the day's sets one tap at a
time, each a ``POST /api/v1/me/logs/`` with a fresh ``client_id``, the session and CSRF
cookies, the ``X-CSRFToken`` header and the JSON body the page sends, followed by the plan
refresh the script makes after every send. Now and then the phone is "offline": it keeps the
sets it logs and sends them later in one ``POST /api/v1/me/logs/batch/``, as the offline queue
does (retried with the same body when the answer does not come). Now and then a lost answer
makes it send a set again with the same ``client_id`` (the server must answer 200, a replay).
A patient with a questionnaire due answers it sometimes. ``Therapist`` users open the
dashboard and the inbox.

The requests come through the production settings' proxy contract: ``X-Forwarded-Proto:
https`` (else every request is redirected to HTTPS), ``X-Forwarded-For`` (one address per
phone) and the ``Origin`` a browser sends with a POST over HTTPS (CSRF checks it).

The harness passes the roster (sessions, items, questionnaires) in the file named by
``LOAD_ROSTER`` and reads what happened from the file named by ``LOAD_OUT``: every request's
name, time and outcome after the users were all started, and every ``client_id`` sent and
acknowledged with a 2xx.
"""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from typing import Any

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

CSRF = "loadloadloadloadloadloadloadload"  # 32 characters: the secret the cookie carries
OFFLINE_SHARE = float(os.environ.get("LOAD_OFFLINE_SHARE", "0.15"))
REPLAY_SHARE = float(os.environ.get("LOAD_REPLAY_SHARE", "0.02"))
QUESTIONNAIRE_SHARE = float(os.environ.get("LOAD_QUESTIONNAIRE_SHARE", "0.3"))
LOGS = "/api/v1/me/logs/"
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "2,6").split(","))
VISITS = tuple(float(s) for s in os.environ.get("LOAD_VISIT_WAIT", "5,15").split(","))


class Record:
    """What one locust process saw; written to ``LOAD_OUT`` when it stops."""

    measuring_since: float | None = None
    measured_seconds: float = 0.0
    samples: list[tuple[str, float, bool, int]] = []  # once every user is started
    ramp: list[tuple[str, float, bool, int]] = []  # before: errors count, times do not
    sent: set[str] = set()
    acked: set[str] = set()
    questionnaires: int = 0


def _roster() -> dict[str, Any]:
    path = os.environ.get("LOAD_ROSTER")
    if not path:
        return {"patients": [], "therapists": []}
    with open(path, encoding="utf-8") as roster:
        return json.load(roster)


ROSTER = _roster()
_next = {"patient": 0, "therapist": 0}


def _take(kind: str) -> dict[str, Any]:
    """The next patient or therapist of the roster: each user is a different person while the
    roster lasts."""
    people = ROSTER[f"{kind}s"]
    person = people[_next[kind] % len(people)]
    _next[kind] += 1
    return dict(person)


@events.spawning_complete.add_listener
def _spawned(user_count: int, **_: Any) -> None:
    Record.measuring_since = time.monotonic()


@events.request.add_listener
def _request(
    request_type: str, name: str, response_time: float, exception: Any, response: Any, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    sample = (f"{request_type} {name}", response_time, exception is None, status)
    (Record.ramp if Record.measuring_since is None else Record.samples).append(sample)


@events.quitting.add_listener
def _write(**_: Any) -> None:
    path = os.environ.get("LOAD_OUT")
    if not path:
        return
    if Record.measuring_since is not None:
        Record.measured_seconds = time.monotonic() - Record.measuring_since
    with open(path, "w", encoding="utf-8") as out:
        json.dump(
            {
                "samples": Record.samples,
                "ramp": Record.ramp,
                "sent": sorted(Record.sent),
                "acked": sorted(Record.acked),
                "questionnaires": Record.questionnaires,
                "measured_seconds": Record.measured_seconds,
            },
            out,
        )


class Phone(FastHttpUser):
    """Common to both: one signed-in person behind the production proxy. Any answer but the
    expected one counts as an error; redirects are not followed (one to the sign-in page or
    to HTTPS is an error, not a slow success)."""

    abstract = True
    kind = ""

    def on_start(self) -> None:
        self.person = _take(self.kind)
        n = _next[self.kind]
        self.headers = {
            "Cookie": f"sessionid={self.person['session']}; csrftoken={CSRF}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
        }

    def get(self, path: str, name: str | None = None) -> Any:
        """GET ``path``; the parsed JSON of an API answer (None for a page or an error)."""
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}, expected 200")
                return None
            if "/api/" in path:
                return response.json()
            return None

    def post(self, path: str, body: Any, expected: int, name: str | None = None) -> Any:
        """POST ``body`` as the page's script does; the parsed answer, or None if not 2xx."""
        headers = self.headers | {
            "X-CSRFToken": CSRF,
            "Content-Type": "application/json",
            "Origin": f"https://{(self.host or '').split('://', 1)[-1].rstrip('/')}",
        }
        with self.client.post(
            path, data=json.dumps(body), headers=headers, name=name, allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != expected:
                response.failure(f"{response.status_code}, expected {expected}")
            if 200 <= response.status_code < 300:
                return response.json()
            return None


class Patient(Phone):
    """A patient doing the morning's exercises on their phone."""

    kind = "patient"
    weight = 1
    wait_time = between(*VISITS)  # between two visits of Today

    def think(self) -> None:
        time.sleep(random.uniform(*THINK))

    def planned_sets(self) -> list[dict[str, Any]]:
        """The day's sets in the order the page lists them, as the page's form builds them."""
        sets = []
        for item in self.person["items"]:
            sides = ("left", "right") if item["per_side"] else ("both",)
            for _number in range(item["sets"]):
                for side in sides:
                    body: dict[str, Any] = {
                        "item": item["item"],
                        "performed_on": self.person["day"],
                        "side": side,
                        "pain": random.randint(0, 4),
                        "difficulty": None,
                        "note": "",
                    }
                    if item["reps"] is not None:
                        body["reps"] = item["reps"]
                    else:
                        body["hold_seconds"] = item["hold_seconds"]
                    sets.append(body)
        return sets

    @task
    def morning(self) -> None:
        self.get("/today/")
        # Today lists a questionnaire that is due above the exercises.
        if self.person["questionnaires"] and random.random() < QUESTIONNAIRE_SHARE:
            self.answer_questionnaire()
        offline = random.random() < OFFLINE_SHARE
        queue: list[dict[str, Any]] = []
        for body in self.planned_sets():
            self.think()
            body = {"client_id": str(uuid.uuid4()), **body}
            if offline:
                queue.append(body)
                if len(queue) >= random.randint(3, 8):
                    self.send_batch(queue)
                    queue = []
            else:
                self.send_one(body)
        if queue:
            self.send_batch(queue)

    def send_one(self, body: dict[str, Any]) -> None:
        Record.sent.add(body["client_id"])
        if self.post(LOGS, body, 201):
            Record.acked.add(body["client_id"])
            if random.random() < REPLAY_SHARE:
                # The answer was "lost": the phone sends the same set again; the server must
                # answer 200 with the stored log and save nothing new.
                self.post(LOGS, body, 200, name=f"{LOGS} (replay)")
        self.get("/api/v1/me/today/")  # the page's refreshPlan after a send

    def send_batch(self, queue: list[dict[str, Any]]) -> None:
        """The offline queue going out: one request, all or nothing, retried once as is."""
        Record.sent.update(entry["client_id"] for entry in queue)
        for _attempt in range(2):
            answer = self.post(f"{LOGS}batch/", {"logs": queue}, 200)
            if answer is not None:
                Record.acked.update(str(result["client_id"]) for result in answer["results"])
                break
            self.think()
        self.get("/api/v1/me/today/")

    def answer_questionnaire(self) -> None:
        due = self.get("/api/v1/me/questionnaires/")
        if not due or not due["results"]:
            return
        path = f"/api/v1/me/questionnaires/{due['results'][0]['public_id']}/"
        form = self.get(path, name="/api/v1/me/questionnaires/<id>/")
        if form is None:
            return
        answers = {
            question["key"]: random.randint(form["answer_min"], form["answer_max"])
            for question in form["questions"]
        }
        self.think()
        body = {"submission_id": str(uuid.uuid4()), "answers": answers}
        if self.post(f"{path}submit/", body, 200, name="/api/v1/me/questionnaires/<id>/submit/"):
            Record.questionnaires += 1


class Therapist(Phone):
    """A therapist glancing at the dashboard and the inbox between appointments."""

    kind = "therapist"
    fixed_count = int(os.environ.get("LOAD_THERAPISTS", "1"))
    wait_time = between(*VISITS)

    @task(3)
    def dashboard(self) -> None:
        self.get("/dashboard/")

    @task(1)
    def inbox(self) -> None:
        self.get("/inbox/")
