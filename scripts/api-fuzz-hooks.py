"""schemathesis hooks for scripts/api-fuzz (loaded through SCHEMATHESIS_HOOKS).

Without them every enrolment code schemathesis sends is one the hub never
issued, so only the refusals of POST /v1/enroll are exercised. scripts/api-fuzz
issues a pool of valid one-time codes before the run (API_FUZZ_CODES, one per
line); here, for about half of the enrolment requests (API_FUZZ_CODE_SHARE), the
generated `code` is replaced with a pool code nobody has enrolled with yet,
written as issued, in lower case, without dashes or with spaces (the hub
ignores case, spaces and dashes). For about half of those (API_FUZZ_FRESH_SHARE)
`device_id` and `actor` are replaced too, with ones never sent before: the
values schemathesis generates repeat (`"0"`, `"00"`), so after the first
success they would nearly always be refused as already enrolled. The rest keep
schemathesis' values, so a right code also meets bad, missing and taken device
ids and actors, wrong content types and so on.

A code is single use: it leaves the pool when the hub answers 200. Answers that
never reach the code (400, 413, 415, 422, 429) put it back, since the hub did
not use it. Two answers about a pool code would be wrong whatever the schema
says, and are logged as anomalies, which fail the run:

- 401 for a code the pool never saw enrolled (a right, unused code refused);
- 200 for a code already used, or a 200 whose role or scope is not the one
  the code was issued for (API_FUZZ_ROLE, API_FUZZ_SCOPE).

Every enrolment answer is logged to API_FUZZ_LOG (JSON lines) for the script's
figures (with its request and answer if API_FUZZ_TRACE is set), and so is
every 5xx from any operation, with its request.
"""

import json
import os
import random
import threading

import schemathesis

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROL_PATH = "/v1/enroll"

_share = float(os.environ.get("API_FUZZ_CODE_SHARE", "0.5"))
_fresh_share = float(os.environ.get("API_FUZZ_FRESH_SHARE", "0.5"))
_role = os.environ.get("API_FUZZ_ROLE")
_scope = os.environ.get("API_FUZZ_SCOPE")
# A generator of our own: Hypothesis resets the global `random` state for
# every example, which would make every choice here the same.
_seed = os.environ.get("API_FUZZ_SEED")
_rng = random.Random(int(_seed) if _seed else None)
_lock = threading.Lock()
_trace = bool(os.environ.get("API_FUZZ_TRACE"))  # log every enrolment request and answer

with open(os.environ["API_FUZZ_CODES"], encoding="utf-8") as f:
    _issued = [line.strip() for line in f if line.strip()]
_pool = set(_issued)  # every code issued for the run
_available = list(_issued)  # not (yet) enrolled with, nor out in a request
_used = set()  # enrolled with (the hub answered 200)
_fresh = 0
_injected = {}  # case id -> whether device_id and actor were replaced too
_log = open(os.environ["API_FUZZ_LOG"], "a", encoding="utf-8")


def _canonical(code):
    """The code as the hub stores it (XXXX-XXXX-XXXX), or None if it cannot be one."""
    if not isinstance(code, str):
        return None
    chars = [c.upper() for c in code if not (c.isspace() or c == "-")]
    if len(chars) != 12 or any(c not in ALPHABET for c in chars):
        return None
    s = "".join(chars)
    return f"{s[:4]}-{s[4:8]}-{s[8:]}"


def _spelling(code):
    """One of the ways a person may type a code, all of which the hub accepts."""
    plain = code.replace("-", "")
    return _rng.choice(
        [
            code,
            code.lower(),
            plain,
            f"{plain[:4]} {plain[4:8]} {plain[8:]}",
            f"  {code.lower()} ",
        ]
    )


def _write(entry):
    with _lock:
        _log.write(json.dumps(entry, ensure_ascii=False, default=repr) + "\n")
        _log.flush()


def _is_enrol(case):
    return case.operation.path == ENROL_PATH and case.method.upper() == "POST"


def _request(case):
    return {
        "method": case.method.upper(),
        "path": case.formatted_path,
        "query": case.query,
        "headers": dict(case.headers or {}),
        "media_type": case.media_type,
        "body": case.body if isinstance(case.body, (dict, list, str, int, float, bool, type(None))) else repr(case.body),
    }


@schemathesis.hook
def before_call(context, case, kwargs):
    global _fresh
    if not _is_enrol(case) or not isinstance(case.body, dict):
        return
    with _lock:
        if not _available or _rng.random() >= _share:
            return
        code = _available.pop(_rng.randrange(len(_available)))
        fresh = _rng.random() < _fresh_share
        if fresh:
            _fresh += 1
            n = _fresh
            actor = f"{_rng.getrandbits(128):032x}"
        spelling = _spelling(code)
    body = dict(case.body)
    body["code"] = spelling
    if fresh:
        body["device_id"] = f"api-fuzz-{n}"
        body["actor"] = actor
    case.body = body
    with _lock:
        _injected[case.id] = fresh


def _answer(response):
    try:
        return response.json()
    except Exception:
        return response.text[:2000]


@schemathesis.hook
def after_call(context, case, response):
    status = response.status_code
    if status >= 500:
        _write({"server_error": status, "request": _request(case), "response": _answer(response)})
    if not _is_enrol(case):
        return
    body = case.body if isinstance(case.body, dict) else {}
    code = _canonical(body.get("code"))
    in_pool = code in _pool
    anomaly = None
    with _lock:
        injected = _injected.pop(case.id, None)
        if in_pool and status == 200:
            if code in _used:
                anomaly = "a used code enrolled again"
            _used.add(code)
        elif in_pool and status == 401:
            if code not in _used:
                anomaly = "a right, unused code was refused as wrong (401)"
        elif in_pool and status < 500 and code not in _used and code not in _available:
            # The hub never got as far as the code: it may still be used.
            _available.append(code)
        left = len(_available)
    answer = _answer(response) if status == 200 or anomaly else None
    if status == 200 and anomaly is None:
        if not in_pool:
            anomaly = "enrolled with a code that was never issued"
        elif isinstance(answer, dict) and (
            (_role and answer.get("role") != _role) or (_scope and answer.get("scope") != _scope)
        ):
            anomaly = f"enrolled with another role or scope than the code's ({_role} {_scope})"
    entry = {
        "enrol": status,
        "pool": in_pool,
        # The hooks put a pool code in (schemathesis also reuses values it
        # has sent, so a pool code may come back on its own), and fresh ids.
        "injected": injected is not None,
        "fresh": bool(injected),
        "left": left,
    }
    if anomaly:
        entry.update(anomaly=anomaly, request=_request(case), response=answer)
    elif _trace:
        entry.update(request=_request(case), response=_answer(response))
    _write(entry)
