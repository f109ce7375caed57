"""Transient AWS errors on demand: a WSGI layer in front of moto for the fault tests.

Rules (POST /faults on the control port, {"rules": [...]}, replacing earlier rules):
  {"action": "RunJobFlow" | "*" | "S3.GetObject" | "S3.*" | "EMRServerless.StartJobRun" | "EMRServerless.*",
   "times": N, "error": "throttle" | "500" | "lost"}
The next N calls of each matching action fail. EMR actions are named as in X-Amz-Target
(ElasticMapReduce.<Action>) and "*" counts every EMR action separately; S3 operations are named
"S3.<Operation>" from the request's method and path (path-style), and "S3.*" counts every S3
operation separately; EMR Serverless operations are "EMRServerless.<Operation>" from the method and
path (REST), "EMRServerless.*" each separately:
  throttle: EMR 400 ThrottlingException / S3 503 SlowDown, before moto sees the call;
  500:      500 InternalServerError (S3: InternalError), before moto sees the call;
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

S3_ERRORS = {
    "throttle": ("503 Slow Down", "SlowDown", "Please reduce your request rate (injected)"),
    "500": ("500 Internal Server Error", "InternalError", "internal error (injected)"),
    "lost": ("500 Internal Server Error", "InternalError", "the response was lost after the call took effect (injected)"),
}

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
            wildcard = action.split(".", 1)[0] + ".*" if "." in action else "*"
            if rule["action"] not in (wildcard, action):
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


def _s3_error(start_response, kind, method):
    status, code, message = S3_ERRORS[kind]
    # A HEAD answer has no body: the client knows the error by its status alone.
    body = b"" if method == "HEAD" else (
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>' % (code, message)).encode()
    start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
    return [body]


_S3_OBJECT_OPS = {"GET": "GetObject", "PUT": "PutObject", "HEAD": "HeadObject", "DELETE": "DeleteObject"}
_S3_BUCKET_OPS = {"GET": "ListObjectsV2", "PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}


def _serverless_operation(method, parts):
    """EMR Serverless's REST operation for a path under /applications."""
    if parts[:1] != ["applications"]:
        return method
    n = len(parts)
    if n == 1:
        return {"POST": "CreateApplication", "GET": "ListApplications"}.get(method, method)
    if n == 2:
        return {"GET": "GetApplication", "PATCH": "UpdateApplication", "DELETE": "DeleteApplication"}.get(method, method)
    if n == 3 and parts[2] in ("start", "stop"):
        return "StartApplication" if parts[2] == "start" else "StopApplication"
    if n == 3 and parts[2] == "jobruns":
        return {"POST": "StartJobRun", "GET": "ListJobRuns"}.get(method, method)
    if n == 4:
        return {"GET": "GetJobRun", "DELETE": "CancelJobRun"}.get(method, method)
    if n == 5 and parts[4] == "dashboard":
        return "GetDashboardForJobRun"
    return method


def _action(environ):
    """("EMR action" | "S3.<Operation>", is_s3) for requests the rules can name, else None."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target.startswith("ElasticMapReduce."):
        return target.split(".", 1)[1], False
    # SigV4 names the service in the credential scope: .../<region>/<service>/aws4_request.
    if "/emr-serverless/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
        parts = [p for p in environ.get("PATH_INFO", "/").split("/") if p]
        return "EMRServerless." + _serverless_operation(environ.get("REQUEST_METHOD", "GET"), parts), False
    if "/s3/aws4_request" in environ.get("HTTP_AUTHORIZATION", ""):
        method = environ.get("REQUEST_METHOD", "GET")
        parts = [p for p in environ.get("PATH_INFO", "/").split("/") if p]
        ops = _S3_OBJECT_OPS if len(parts) >= 2 else _S3_BUCKET_OPS
        if not parts:
            return "S3.ListBuckets", True
        return "S3." + ops.get(method, method), True
    return None


def wrap(app):
    def faulty(environ, start_response):
        named = _action(environ)
        if named is None:
            return app(environ, start_response)
        action, is_s3 = named
        kind = _take(action)
        if kind is None:
            return app(environ, start_response)
        if kind == "lost":
            result = app(environ, lambda *args, **kwargs: None)
            b"".join(result)  # moto does the work; its answer is thrown away
            if hasattr(result, "close"):
                result.close()
        if is_s3:
            return _s3_error(start_response, kind, environ.get("REQUEST_METHOD", "GET"))
        return _error(start_response, kind)
    return faulty
