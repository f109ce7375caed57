"""EMR Serverless job runs and applications driven from the test side.

moto ends every job run at once with SUCCESS and zero utilization, stamps it created at midnight,
starts applications at once and has no GetDashboardForJobRun. install() patches moto's models so
that (control port, see moto_server.py):

  POST /serverless/hold {"jobRuns": "SUBMITTED"|"SUCCESS"|..., "applicationStarts": "STARTING"|"STARTED"}
      the state new job runs begin in (default SUCCESS, moto's), and the state StartApplication
      leaves an application in (default STARTED);
  POST /serverless/job-run {"jobRunId", "state", "stateDetails"?, "utilization"?: {vCPUHour, memoryGBHour,
      storageGBHour}, "durationSeconds"?}: moves a job run (ended states stamp endedAt; utilization is
      reported as total while live and as billed once ended);
  POST /serverless/application {"applicationId", "state"}: e.g. STOPPED, or STARTED after STARTING;
  POST /serverless/job-runs {}: every job run (id, applicationId, name, state, entryPoint, args,
      sparkSubmitParameters, logUri, tags, clientToken, executionRole), oldest first.

Job runs are created at the real time, and GetDashboardForJobRun answers a made-up URL.
"""
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.emrserverless import models, responses, urls

_hold = {"jobRuns": "SUCCESS", "applicationStarts": "STARTED"}
_original_job_run_init = models.JobRun.__init__
_original_start_application = models.EMRServerlessBackend.start_application
_original_cancel = models.EMRServerlessBackend.cancel_job_run


def _job_run_init(self, *args, **kwargs):
    _original_job_run_init(self, *args, **kwargs)
    self.created_at = utcnow()
    self.updated_at = self.created_at
    self.state = _hold["jobRuns"]
    self.started_at = None
    self.ended_at = self.created_at if self.state == "SUCCESS" else None
    self.total_resource_utilization = None


def _start_application(self, application_id):
    _original_start_application(self, application_id)
    self.applications[application_id].state = _hold["applicationStarts"]


def _cancel_job_run(self, application_id, job_run_id):
    job_run = next((j for j in self.job_runs.get(application_id, []) if j.id == job_run_id), None)
    if job_run is not None and job_run.state in ("SUCCESS", "FAILED", "CANCELLED"):
        from moto.emrserverless.exceptions import ValidationException
        raise ValidationException(f"Job run {job_run_id} is in a terminal state {job_run.state}")
    result = _original_cancel(self, application_id, job_run_id)
    job_run.ended_at = utcnow()
    job_run.updated_at = job_run.ended_at
    return result


def _dashboard(self):
    application_id = self._get_param("applicationId")
    job_run_id = self._get_param("jobRunId")
    self.emrserverless_backend.get_job_run(application_id, job_run_id)
    return ActionResult({"url": f"https://p-{job_run_id}-{application_id}.emrappui-prod.us-west-2.amazonaws.com/shs?token=moto"})


def install():
    models.JobRun.__init__ = _job_run_init
    models.EMRServerlessBackend.start_application = _start_application
    models.EMRServerlessBackend.cancel_job_run = _cancel_job_run
    responses.EMRServerlessResponse.get_dashboard_for_job_run = _dashboard
    urls.url_paths["{0}/applications/(?P<applicationId>[^/]+)/jobruns/(?P<jobRunId>[^/]+)/dashboard$"] = \
        responses.EMRServerlessResponse.dispatch


def _backends():
    for regions in models.emrserverless_backends.values():
        yield from regions.values()


def _job_run(job_run_id):
    for backend in _backends():
        for runs in backend.job_runs.values():
            for job_run in runs:
                if job_run.id == job_run_id:
                    return job_run
    raise KeyError(f"no EMR Serverless job run {job_run_id} in moto")


def hold(body):
    _hold.update({k: v for k, v in body.items() if k in _hold})
    return None


def set_job_run(body):
    job_run = _job_run(body["jobRunId"])
    job_run.state = body["state"]
    job_run.updated_at = utcnow()
    if body.get("stateDetails"):
        job_run.state_details = body["stateDetails"]
    if body["state"] == "RUNNING" and job_run.started_at is None:
        job_run.started_at = utcnow()
    if "durationSeconds" in body:
        job_run.total_execution_duration_seconds = body["durationSeconds"]
    ended = body["state"] in ("SUCCESS", "FAILED", "CANCELLED")
    if ended:
        job_run.ended_at = utcnow()
    if "utilization" in body:
        if ended:
            job_run.billed_resource_utilization = body["utilization"]
        job_run.total_resource_utilization = body["utilization"]
    return None


def set_application(body):
    for backend in _backends():
        if body["applicationId"] in backend.applications:
            backend.applications[body["applicationId"]].state = body["state"]
            return None
    raise KeyError(f"no EMR Serverless application {body['applicationId']} in moto")


def job_runs(_body):
    out = []
    for backend in _backends():
        for runs in backend.job_runs.values():
            for j in runs:
                spark = (j.job_driver or {}).get("sparkSubmit", {})
                monitoring = (j.configuration_overrides or {}).get("monitoringConfiguration", {})
                out.append({
                    "id": j.id, "applicationId": j.application_id, "name": j.name, "state": j.state,
                    "entryPoint": spark.get("entryPoint"), "args": spark.get("entryPointArguments", []),
                    "sparkSubmitParameters": spark.get("sparkSubmitParameters"),
                    "logUri": monitoring.get("s3MonitoringConfiguration", {}).get("logUri"),
                    "tags": j.tags or {}, "clientToken": j.client_token, "executionRole": j.execution_role_arn,
                    "createdAt": j.created_at.isoformat(),
                })
    return sorted(out, key=lambda r: r["createdAt"])
