"""Transient AWS errors on demand: a WSGI layer in front of moto for the fault tests.

Rules (POST /faults on the control port, {"rules": [...]}, replacing earlier rules):
  {"action": "RunJobFlow" | "*", "times": N, "error": "throttle" | "500" | "lost"}
The next N calls of each matching EMR action (X-Amz-Target ElasticMapReduce.<Action>; "*" counts
every action separately) fail:
  throttle: 400 ThrottlingException, before moto sees the call;
  500:      500 InternalServerError, before moto sees the call;
  lost:     moto performs the call, then the client gets a 500 (its answer was lost).
POST /faults/report returns {"calls": {action: n}, "injected": {action: n}} and keeps counting.
"""
import json
import threading
from collections import Counter

_lock = threading.Lock()
_rules = []
_left = {}
calls = Counter()
injected = Counter()

ERRORS = {
    "throttle": ("400 Bad Request", "ThrottlingException", "Rate exceeded (injected)"),
    "500": ("500 Internal Server Error", "InternalServerError", "internal error (injected)"),
    "lost": ("500 Internal Server Error", "InternalServerError", "the response was lost after the call took effect (injected)"),
}


def set_rules(body):
    with _lock:
        _rules[:] = body.get("rules", [])
        _left.clear()
    return None


def report(_body):
    with _lock:
        return {"calls": dict(calls), "injected": dict(injected)}


def _take(action):
    """The error kind this call of `action` gets, or None."""
    with _lock:
        calls[action] += 1
        for i, rule in enumerate(_rules):
            if rule["action"] not in ("*", action):
                continue
            key = (i, action)
            left = _left.setdefault(key, rule["times"])
            if left > 0:
                _left[key] = left - 1
                injected[action] += 1
                return rule["error"]
        return None


def _error(start_response, kind):
    status, type_, message = ERRORS[kind]
    body = json.dumps({"__type": type_, "message": message}).encode()
    start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-ErrorType", type_),
                            ("Content-Length", str(len(body)))])
    return [body]


def wrap(app):
    def faulty(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith("ElasticMapReduce."):
            return app(environ, start_response)
        kind = _take(target.split(".", 1)[1])
        if kind is None:
            return app(environ, start_response)
        if kind == "lost":
            result = app(environ, lambda *args, **kwargs: None)
            b"".join(result)  # moto does the work; its answer is thrown away
            if hasattr(result, "close"):
                result.close()
        return _error(start_response, kind)
    return faulty
