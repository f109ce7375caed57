"""EMR CancelSteps for moto, which does not implement it (its server answers NotImplemented).

As EMR does it: a PENDING or RUNNING step is cancelled (EMR's SEND_INTERRUPT passes through
CANCEL_PENDING; the emulator ends it at once), and each step id gets a CancelStepsInfo; a step
that has already ended is reported FAILED with the reason, and keeps its state.
"""
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.emr.responses import ElasticMapReduceResponse


def _cancel_steps(self):
    cluster = self.backend.clusters[self._get_param("ClusterId")]
    infos = []
    for step_id in self._get_param("StepIds", []):
        step = next((s for s in cluster.steps if s.id == step_id), None)
        if step is None:
            infos.append({"StepId": step_id, "Status": "FAILED", "Reason": f"Step {step_id} not found"})
        elif step.state in ("PENDING", "RUNNING", "CANCEL_PENDING"):
            step.state = "CANCELLED"
            step.end_date_time = utcnow()
            infos.append({"StepId": step_id, "Status": "SUBMITTED", "Reason": ""})
        else:
            infos.append({"StepId": step_id, "Status": "FAILED", "Reason": f"Step is in state {step.state}"})
    return ActionResult({"CancelStepsInfoList": infos})


def install():
    ElasticMapReduceResponse.cancel_steps = _cancel_steps
