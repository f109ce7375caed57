"""moto in server mode plus a loopback-only control endpoint that moves EMR steps and clusters.

moto never runs a step by itself and has no HTTP API for step states, so this launcher runs
ThreadedMotoServer in this process and mutates moto.emr.models.emr_backends directly:

  POST http://127.0.0.1:<control>/emr/step     {"clusterId", "stepId", "state", "reason"?, "region"?}
  POST http://127.0.0.1:<control>/emr/cluster  {"clusterId", "state", "reason"?, "region"?}
  POST http://127.0.0.1:<control>/emr/lifecycle {"provisionSeconds", "stepSeconds"}  (see emr_lifecycle.py)
  POST http://127.0.0.1:<control>/faults {"rules": [...]}, /faults/report  (see moto_faults.py)
  POST http://127.0.0.1:<control>/athena/next {"outcomes": [...]}  (see moto_athena.py)
  POST http://127.0.0.1:<control>/serverless/... EMR Serverless job runs and applications (see moto_serverless.py)

It also answers EMR CancelSteps, which moto lacks (see moto_cancel_steps.py).

Usage: python moto_server.py <moto port> <control port>. Prints "ready" once both listen.
"""
import json
import os
import sys

# Real IAM has the AWS managed policies (AmazonEMRServicePolicy_v2, ...) that `emrflow aws
# bootstrap` attaches; moto loads them only when asked.
os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.emr.models import emr_backends
from moto.moto_server import threaded_moto_server
from moto.server import ThreadedMotoServer

import emr_lifecycle
import moto_athena
import moto_cancel_steps
import moto_faults
import moto_serverless

# Every request passes moto_faults first (it lets everything through until rules are set).
moto_athena.install()
moto_cancel_steps.install()
moto_serverless.install()
_dispatcher = threaded_moto_server.DomainDispatcherApplication
threaded_moto_server.DomainDispatcherApplication = lambda create_app: moto_faults.wrap(_dispatcher(create_app))


def cluster_of(body):
    """The cluster with this id, in whichever account and region the client used."""
    for account_id, regions in emr_backends.items():
        for region, backend in regions.items():
            if body["clusterId"] in backend.clusters:
                return backend.clusters[body["clusterId"]]
    raise KeyError(f"no EMR cluster {body['clusterId']} in moto (default account {DEFAULT_ACCOUNT_ID})")


def set_step(body):
    cluster = cluster_of(body)
    step = next(s for s in cluster.steps if s.id == body["stepId"])
    step.state = body["state"]
    if body.get("reason"):
        step.last_state_change_reason = body["reason"]
    if body["state"] == "RUNNING" and step.start_date_time is None:
        step.start_date_time = utcnow()
    if body["state"] in ("COMPLETED", "FAILED", "CANCELLED", "INTERRUPTED"):
        step.end_date_time = utcnow()


def set_cluster(body):
    cluster = cluster_of(body)
    cluster.state = body["state"]
    if body.get("reason"):
        cluster.last_state_change_reason = body["reason"]
    if body["state"].startswith("TERMINATED"):
        cluster.end_datetime = utcnow()


class Control(BaseHTTPRequestHandler):
    def do_POST(self):
        try:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            result = {"/emr/step": set_step, "/emr/cluster": set_cluster, "/emr/lifecycle": emr_lifecycle.enable,
                      "/faults": moto_faults.set_rules, "/faults/report": moto_faults.report,
                      "/athena/next": moto_athena.set_next,
                      "/serverless/hold": moto_serverless.hold, "/serverless/job-run": moto_serverless.set_job_run,
                      "/serverless/application": moto_serverless.set_application,
                      "/serverless/job-runs": moto_serverless.job_runs}[self.path](body)
            if result is None:
                self.send_response(204)
                self.end_headers()
            else:
                self.send_response(200)
                self.end_headers()
                self.wfile.write(json.dumps(result).encode())
        except Exception as e:  # report, do not crash the server
            self.send_response(400)
            self.end_headers()
            self.wfile.write(repr(e).encode())

    def log_message(self, *args):
        pass


def main():
    moto_port, control_port = int(sys.argv[1]), int(sys.argv[2])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    server.start()
    control = ThreadingHTTPServer(("127.0.0.1", control_port), Control)
    print("ready", flush=True)
    try:
        control.serve_forever()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
