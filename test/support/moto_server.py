"""moto in server mode plus a loopback-only control endpoint that moves EMR steps and clusters.

moto never runs a step by itself and has no HTTP API for step states, so this launcher runs
ThreadedMotoServer in this process and mutates moto.emr.models.emr_backends directly:

  POST http://127.0.0.1:<control>/emr/step     {"clusterId", "stepId", "state", "reason"?, "region"?}
  POST http://127.0.0.1:<control>/emr/cluster  {"clusterId", "state", "reason"?, "region"?}

Usage: python moto_server.py <moto port> <control port>. Prints "ready" once both listen.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.emr.models import emr_backends
from moto.server import ThreadedMotoServer


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
            {"/emr/step": set_step, "/emr/cluster": set_cluster}[self.path](body)
            self.send_response(204)
            self.end_headers()
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
