"""Stopping the Glue job runs and training jobs of a run in progress (moto's training
jobs are Completed at once and its Glue jobs never run, so stubs stand in; the
rehearsal covers the schedule and the executions against moto)."""

from __future__ import annotations

from types import SimpleNamespace

from project.aws import stop_runs
from project.aws.stacks import Waiting
from project.settings import load_settings

from ..conftest import clear_account_values, replace_line


class Jobs:
    """Glue and SageMaker as seen by stop_runs: jobs that stop one poll after asked."""

    def __init__(self, slug):
        self.glue_runs = {"jr_1": "RUNNING", "jr_0": "SUCCEEDED"}
        self.training = {f"{slug}-run-7": "InProgress", f"{slug}-run-6": "Stopping",
                         "other-project-run-1": "InProgress"}  # fmt: skip
        self.calls: list[str] = []
        self.exceptions = SimpleNamespace(
            EntityNotFoundException=LookupError, ResourceNotFoundException=LookupError,
            StateMachineDoesNotExist=LookupError,
        )  # fmt: skip

    def tick(self):
        """Time passes: what was asked to stop has stopped."""
        self.glue_runs = {k: "STOPPED" if v == "STOPPING" else v for k, v in self.glue_runs.items()}
        self.training = {k: "Stopped" if v == "Stopping" else v for k, v in self.training.items()}

    def get_paginator(self, operation):
        return SimpleNamespace(paginate=lambda **request: [getattr(self, operation)(**request)])

    def get_job_runs(self, JobName):
        return {"JobRuns": [{"Id": i, "JobRunState": s} for i, s in self.glue_runs.items()]}

    def list_training_jobs(self, NameContains, StatusEquals):
        return {"TrainingJobSummaries": [{"TrainingJobName": name}
                for name, status in self.training.items() if status == StatusEquals]}  # fmt: skip

    def list_executions(self, **_):
        return {"executions": []}

    def get_schedule(self, Name):
        raise LookupError(Name)

    def batch_stop_job_run(self, JobName, JobRunIds):
        self.calls.append(f"BatchStopJobRun {JobName} {JobRunIds}")
        self.glue_runs.update({run: "STOPPING" for run in JobRunIds})

    def stop_training_job(self, TrainingJobName):
        self.calls.append(f"StopTrainingJob {TrainingJobName}")
        self.training[TrainingJobName] = "Stopping"


def test_glue_runs_and_training_jobs_of_the_project_are_stopped_and_waited_for(settings_path):
    clear_account_values(settings_path)  # derived from another account in some bakes
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    settings = load_settings(settings_path)
    slug = settings.slug
    jobs = Jobs(slug)
    aws = SimpleNamespace(client=lambda service: jobs, settings=settings)
    said: list[str] = []
    sleeps: list[float] = []

    def sleep(seconds):
        sleeps.append(seconds)
        jobs.tick()

    activity = stop_runs.find(settings, aws)
    assert activity.glue_runs == ["jr_1"]
    assert activity.training_jobs == {f"{slug}-run-7": "InProgress", f"{slug}-run-6": "Stopping"}
    stop_runs.stop(settings, aws, activity, said.append, Waiting(poll_seconds=1, sleep=sleep))
    # Only the project's jobs, and a job already stopping is not asked again.
    assert jobs.calls == [f"BatchStopJobRun {slug}-etl ['jr_1']",
                          f"StopTrainingJob {slug}-run-7"]  # fmt: skip
    assert said[-1] == "every run and job has stopped" and sleeps == [1]
    assert "  waiting for 3 runs or jobs to stop" in said
