"""Athena behaviours moto lacks, for the query tests (patched into moto in this process).

moto accepts every query and, once asked, answers with preloaded rows
(POST <moto>/moto-api/static/athena/query-results). Real Athena also:
  - pages GetQueryResults (MaxResults <= 1000, NextToken): moto returns every row at once;
  - fails queries, with a reason in Status.StateChangeReason and Status.AthenaError;
  - keeps a long query RUNNING until it ends or StopQueryExecution cancels it.
Control (POST on the control port): /athena/next {"outcomes": [{"state": "FAILED", "reason": "..."}
| {"state": "RUNNING"}]} decides the fate of the next queries started, in order; queries after
those succeed as moto's do.
"""
import json
import threading

from moto.athena.models import AthenaBackend, Execution
from moto.athena.responses import AthenaResponse

_lock = threading.Lock()
_outcomes = []


def set_next(body):
    with _lock:
        _outcomes[:] = body.get("outcomes", [])


_start = AthenaBackend.start_query_execution


def _start_with_outcome(self, *args, **kwargs):
    exec_id = _start(self, *args, **kwargs)
    with _lock:
        outcome = _outcomes.pop(0) if _outcomes else None
    if outcome:
        self.executions[exec_id].emrflow_outcome = outcome
    return exec_id


_status = Execution.status


def _status_get(self):
    outcome = getattr(self, "emrflow_outcome", None)
    # A stopped query is CANCELLED whatever its fate would have been.
    if outcome and self._status != "CANCELLED":
        return outcome["state"]
    return _status.fget(self)


_get_execution = AthenaResponse.get_query_execution


def _get_execution_with_reason(self):
    body = json.loads(_get_execution(self))
    execution = self.athena_backend.executions[self._get_param("QueryExecutionId")]
    outcome = getattr(execution, "emrflow_outcome", None)
    status = body["QueryExecution"]["Status"]
    if outcome and status["State"] == "FAILED":
        status["StateChangeReason"] = outcome["reason"]
        status["AthenaError"] = {"ErrorCategory": 2, "ErrorType": 1001, "Retryable": False, "ErrorMessage": outcome["reason"]}
    if status["State"] == "CANCELLED":
        status["StateChangeReason"] = "Query was cancelled by user"
    return json.dumps(body)


_get_results = AthenaResponse.get_query_results


def _get_results_paged(self):
    body = json.loads(_get_results(self))
    rows = body["ResultSet"]["Rows"]
    size = int(self._get_param("MaxResults") or 1000)
    start = int(self._get_param("NextToken") or 0)
    body["ResultSet"]["Rows"] = rows[start:start + size]
    if start + size < len(rows):
        body["NextToken"] = str(start + size)
    return json.dumps(body)


def install():
    AthenaBackend.start_query_execution = _start_with_outcome
    Execution.status = property(_status_get, _status.fset)
    AthenaResponse.get_query_execution = _get_execution_with_reason
    AthenaResponse.get_query_results = _get_results_paged
