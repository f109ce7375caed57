"""A simulated EMR timeline for moto, for benchmarks that bill cluster time.

moto creates clusters already WAITING and starts a step the moment it is added. Once enabled
(POST /emr/lifecycle {"provisionSeconds", "stepSeconds"} on moto_server.py's control port), a
cluster instead stays STARTING for provisionSeconds after RunJobFlow; then it runs its steps
one at a time, each for stepSeconds (RUNNING -> COMPLETED), sits WAITING when it has none, and
terminates itself after its last step when KeepJobFlowAliveWhenNoSteps is false, as EMR does.
A ticker thread advances every cluster every few milliseconds. Not enabled: moto as it is.

Always (moto lacks it): the SetKeepJobFlowAliveWhenNoSteps API, which sets the cluster's flag.
"""
import threading
import time

from moto.core.utils import utcnow
from moto.core.responses import EmptyResult
from moto.emr.models import Cluster, Step, emr_backends
from moto.emr.responses import ElasticMapReduceResponse

SETTINGS = {}
TICK_SECONDS = 0.005
ENDED = ("TERMINATING", "TERMINATED", "TERMINATED_WITH_ERRORS")

_bootstrap = Cluster.run_bootstrap_actions
_add_steps = Cluster.add_steps
_step_start = Step.start


def _patched_bootstrap(self):
    if not SETTINGS:
        return _bootstrap(self)
    self.state = "STARTING"  # the ticker makes it ready after provisionSeconds


def _patched_add_steps(self, steps):
    if not SETTINGS:
        return _add_steps(self, steps)
    state = getattr(self, "state", None)  # None while RunJobFlow's own steps are added
    added = _add_steps(self, steps)
    for step in added:
        step.state = "PENDING"
    self.state = state  # adding a step does not make a STARTING cluster run it
    return added


def _patched_step_start(self):
    if not SETTINGS:
        return _step_start(self)


def _seconds(since, now):
    return (now - since).total_seconds()


def advance(cluster, now):
    if cluster.state in ENDED or cluster.state is None:
        return
    if cluster.state in ("STARTING", "BOOTSTRAPPING"):
        if _seconds(cluster.creation_datetime, now) < SETTINGS["provisionSeconds"]:
            return
        cluster.ready_datetime = now
        cluster.state = "WAITING"
    for step in cluster.steps:
        if step.state == "RUNNING" and _seconds(step.start_date_time, now) >= SETTINGS["stepSeconds"]:
            step.state = "COMPLETED"
            step.end_date_time = now
    if any(step.state == "RUNNING" for step in cluster.steps):
        return
    pending = [step for step in cluster.steps if step.state == "PENDING"]
    if pending:
        pending[0].state = "RUNNING"
        pending[0].start_date_time = now
        cluster.state = "RUNNING"
    elif cluster.keep_job_flow_alive_when_no_steps:
        cluster.state = "WAITING"
    else:
        cluster.terminate()


def _tick_forever():
    while True:
        time.sleep(TICK_SECONDS)
        now = utcnow()
        for regions in list(emr_backends.values()):
            for backend in list(regions.values()):
                for cluster in list(backend.clusters.values()):
                    advance(cluster, now)


def enable(body):
    """POST /emr/lifecycle: turn the simulated timeline on (or change its durations)."""
    first = not SETTINGS
    SETTINGS.update(provisionSeconds=float(body["provisionSeconds"]), stepSeconds=float(body["stepSeconds"]))
    if first:
        Cluster.run_bootstrap_actions = _patched_bootstrap
        Cluster.add_steps = _patched_add_steps
        Step.start = _patched_step_start
        threading.Thread(target=_tick_forever, daemon=True).start()


def _set_keep_job_flow_alive_when_no_steps(self):
    keep = self._get_bool_param("KeepJobFlowAliveWhenNoSteps")
    for job_flow_id in self._get_param("JobFlowIds", []):
        self.backend.clusters[job_flow_id].keep_job_flow_alive_when_no_steps = keep
    return EmptyResult()


ElasticMapReduceResponse.set_keep_job_flow_alive_when_no_steps = _set_keep_job_flow_alive_when_no_steps
