"""The cost estimate, computed from the settings and the Price List API's prices, or
the dated table's where the API cannot give them.

The Price List API is stubbed with botocore's Stubber (moto has no ``pricing``
service): each answer is shaped as GetProducts answers, PriceList entries being JSON
documents in strings.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
from botocore.stub import Stubber
from project.aws import prices as price_list
from project.aws.estimate import (
    API,
    CAPTURE_BYTES_PER_FEATURE,
    CAPTURE_ENVELOPE_BYTES,
    GLUE_PRICE_PER_DPU_HOUR,
    MAX_PROVISIONING_MINUTES,
    PRICES_AS_OF,
    TABLE,
    capture_gb_per_million_requests,
    current_prices,
    hourly_price,
    report,
    rollout_steps,
    run_lines,
    runs_per_30_days,
    table_prices,
)
from project.cli import main
from project.settings import load_settings

from ..conftest import PROJECT_ROOT, clear_account_values, copy_project, replace_line


@pytest.mark.parametrize(
    ("instance_type", "price"),
    [("ml.m5.xlarge", 0.23), ("ml.m5.large", 0.115), ("ml.m5.4xlarge", 0.92),
     ("ml.t2.medium", 0.056), ("ml.inf2.xlarge", None)],
)  # fmt: skip
def test_sizes_scale_the_xlarge_price(instance_type, price):
    from project.aws.estimate import HOSTING_PRICE_PER_XLARGE_HOUR

    assert hourly_price(instance_type, HOSTING_PRICE_PER_XLARGE_HOUR) == price


def test_glue_cost_follows_workers_and_worker_type(settings_path):
    copy_project(settings_path.parent, "statemachine")
    replace_line(settings_path, "worker_type =", 'worker_type = "G.2X"')
    replace_line(settings_path, "number_of_workers =", "number_of_workers = 10")
    glue = run_lines(load_settings(settings_path))[0]
    # 10 workers x 2 DPU for the 120-minute timeout
    assert glue.at_most == pytest.approx(20 * GLUE_PRICE_PER_DPU_HOUR * 2)


def test_training_worst_case_is_bounded_by_max_runtime(settings_path):
    copy_project(settings_path.parent, "statemachine")
    text = settings_path.read_text(encoding="utf-8")
    start = text.index("[training]")
    end = text.index("\n", text.index("instance_type =", start))
    line = text[text.index("instance_type =", start) : end]
    settings_path.write_text(text.replace(line, 'instance_type = "ml.c5.2xlarge"', 1))
    replace_line(settings_path, "max_runtime_seconds =", "max_runtime_seconds = 7200")
    training = run_lines(load_settings(settings_path))[1]
    assert training.at_most == pytest.approx(0.408 * 2)


@pytest.mark.parametrize(
    ("expression", "runs"),
    [("rate(7 days)", 30 / 7), ("rate(1 day)", 30), ("cron(0 3 * * ? *)", None), (None, None)],
)
def test_schedules_count_runs(expression, runs):
    assert runs_per_30_days(expression) == (pytest.approx(runs) if runs else None)


def test_the_report_states_the_price_date(settings_path, capsys):
    copy_project(settings_path.parent, "statemachine")
    assert main(["--settings", str(settings_path), "estimate"]) == 0
    out = capsys.readouterr().out
    assert f"as of {PRICES_AS_OF}" in out and "per day" in out
    assert out.splitlines() == report(load_settings(settings_path))


def test_drift_counts_capture_storage_and_the_scheduled_checks(settings_path):
    """Capture storage per million requests grows with the sampled share and the row's
    width; the checks follow drift.check_schedule; turning both off drops the lines."""
    copy_project(settings_path.parent, "statemachine")
    settings = load_settings(settings_path)
    width = CAPTURE_ENVELOPE_BYTES + CAPTURE_BYTES_PER_FEATURE * len(settings.data.features)
    assert capture_gb_per_million_requests(settings) == pytest.approx(
        settings.capture_percent / 100 * width / 1000
    )
    lines = report(settings, table_prices(settings))
    (capture,) = [line for line in lines if line.startswith("Data capture:")]
    assert f"{settings.capture_percent}% of requests" in capture
    assert f"kept {settings.keep_captures_days} days" in capture
    from project.aws.cfn_template import load_template
    from project.aws.estimate import NONCURRENT_DAYS

    storage = load_template(PROJECT_ROOT / "infrastructure" / "storage.yaml")
    rules = storage["Resources"]["ArtifactBucket"]["Properties"]["LifecycleConfiguration"]
    tidy = rules["Rules"][0]["NoncurrentVersionExpiration"]["NoncurrentDays"]
    assert f"{tidy} more as old versions" in capture and tidy == NONCURRENT_DAYS
    (check,) = [line for line in lines if line.startswith("Drift check")]
    checks = runs_per_30_days(settings.drift_check_schedule)
    assert f"{checks:g} checks per 30 days" in check

    replace_line(settings_path, "capture_percent =", "capture_percent = 0")
    replace_line(settings_path, "check_schedule =", 'check_schedule = "none"')
    quiet = load_settings(settings_path)
    assert not [line for line in report(quiet, table_prices(quiet)) if "rift" in line or
                line.startswith("Data capture")]  # fmt: skip


# --- prices from the Price List API, and the fallback to the table -----------------

REGION = "eu-west-1"
# What the API answers for eu-west-1 (made-up prices, unlike the table's, so that a
# test can tell which source a number came from).
API_PRICES = {
    "EU-Train:ml.m5.xlarge": 0.5,
    "EU-Host:ml.m5.large": 0.25,
    "EU-Tsform:ml.m5.large": 0.125,
    "EU-ETL-DPU-Hour": 0.5,
    "EU-Lambda-GB-Second": 0.00002,
    "EU-Request": 0.0000004,
    "EU-CW:AlarmMonitorUsage": 0.2,
}


def product(usage_type: str, usd: float | list[float], **attributes: str) -> str:
    """One PriceList entry, as GetProducts returns it: a JSON document in a string."""
    tiers = usd if isinstance(usd, list) else [usd]
    dimensions = {
        f"SKU1.JRTCKXETXF.{index}": {
            "unit": "Hrs",
            "beginRange": str(index),
            "endRange": "Inf",
            "description": f"${price} per unit",
            "appliesTo": [],
            "rateCode": f"SKU1.JRTCKXETXF.{index}",
            "pricePerUnit": {"USD": f"{price:.10f}"},
        }
        for index, price in enumerate(tiers)
    }
    return json.dumps({
        "product": {
            "productFamily": attributes.pop("productFamily", "ML Instance"),
            "attributes": {"regionCode": REGION, "location": "EU (Ireland)",
                           "usagetype": usage_type, **attributes},
            "sku": "SKU1",
        },
        "serviceCode": "AmazonSageMaker",
        "terms": {"OnDemand": {"SKU1.JRTCKXETXF": {
            "priceDimensions": dimensions, "sku": "SKU1", "offerTermCode": "JRTCKXETXF",
            "effectiveDate": "2025-06-01T00:00:00Z", "termAttributes": {},
        }}},
        "version": "20250601000000",
        "publicationDate": "2025-06-01T00:00:00Z",
    })  # fmt: skip


def answer(*entries: str) -> dict:
    return {"FormatVersion": "aws_v1", "PriceList": list(entries)}


def filters(**attributes: str) -> list[dict]:
    pairs = {"regionCode": REGION, **attributes}
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in pairs.items()]


def request(service: str, **attributes: str) -> dict:
    return {"ServiceCode": service, "Filters": filters(**attributes), "MaxResults": 100}


def instance_products(instance_type: str) -> list[str]:
    """Every use of one instance type, as the API lists them: the lookup must pick one."""
    return [
        product(f"EU-{use}:{instance_type}", API_PRICES.get(f"EU-{use}:{instance_type}", 9.0),
                instanceName=instance_type)
        for use in ("Notebk", "Train", "Train-Spot", "Host", "Tsform", "AsyncInf")
    ]  # fmt: skip


# The order current_prices looks prices up in, with the request each sends.
LOOKUPS = [
    (request("AmazonSageMaker", instanceName="ml.m5.xlarge"), instance_products("ml.m5.xlarge")),
    (request("AmazonSageMaker", instanceName="ml.m5.large"), instance_products("ml.m5.large")),
    (request("AmazonSageMaker", instanceName="ml.m5.large"), instance_products("ml.m5.large")),
    (request("AWSGlue"), [product("EU-Crawler-DPU-Hour", 9.0),
                          product("EU-ETL-DPU-Hour", API_PRICES["EU-ETL-DPU-Hour"])]),
    (request("AWSLambda"), [product("EU-Lambda-GB-Second-ARM", 9.0),
                            product("EU-Lambda-GB-Second", [0.00002, 0.000015, 0.0000133])]),
    (request("AWSLambda"), [product("EU-Lambda-Edge-Request", 9.0),
                            product("EU-Request", API_PRICES["EU-Request"])]),
    (request("AmazonCloudWatch", productFamily="Alarm"),
     [product("EU-CW:HighResAlarmMonitorUsage", 9.0),
      product("EU-CW:AlarmMonitorUsage", [0.0, 0.2], productFamily="Alarm")]),
]  # fmt: skip


@pytest.fixture
def eu_settings(settings_path):
    copy_project(settings_path.parent, "statemachine")
    # Another region may be another partition: the baked account's role ARNs would not fit.
    clear_account_values(settings_path)
    replace_line(settings_path, "region =", f'region = "{REGION}"')
    return load_settings(settings_path)


@pytest.fixture
def pricing():
    client = boto3.client("pricing", region_name="us-east-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def test_every_price_comes_from_the_api_when_it_answers(eu_settings, pricing):
    client, stubber = pricing
    for expected, entries in LOOKUPS:
        stubber.add_response("get_products", answer(*entries), expected)
    prices = current_prices(eu_settings, client)
    assert prices.training_hour.value == 0.5 and prices.training_hour.source == API
    assert prices.hosting_hour.value == 0.25
    assert prices.scoring_hour.value == 0.125
    assert prices.glue_dpu_hour.value == 0.5
    assert prices.lambda_gb_second.value == 0.00002  # the first (highest) tier
    assert prices.lambda_request.value == API_PRICES["EU-Request"]
    assert prices.alarm_month.value == 0.2  # the paid tier, not the free one
    assert prices.problem is None and prices.region == REGION
    out = "\n".join(report(eu_settings, prices))
    assert "Training   typical    $0.08" in out  # 10 minutes at $0.5/h
    assert f"[{API}, {REGION}]" in out
    assert f"Prices: AWS {API} for {REGION}" in out
    assert "Alarms:" in out and "$0.40 per 30 days" in out  # 2 x $0.2


def test_a_product_the_api_does_not_list_falls_back_for_that_line_only(eu_settings, pricing):
    client, stubber = pricing
    for index, (expected, entries) in enumerate(LOOKUPS):
        # No batch transform price for the scoring instance (the third lookup).
        listed = [e for e in entries if "Tsform" not in e] if index == 2 else entries
        stubber.add_response("get_products", answer(*listed), expected)
    prices = current_prices(eu_settings, client)
    assert prices.scoring_hour.source == TABLE
    assert prices.scoring_hour.value == hourly_price("ml.m5.large", {"m5": 0.23})
    assert prices.training_hour.source == API
    out = report(eu_settings, prices)
    scoring = next(line for line in out if line.lstrip().startswith("Scoring"))
    assert scoring.endswith(f"[table, us-east-1 as of {PRICES_AS_OF}]")
    assert API not in scoring
    summary = next(line for line in out if line.startswith("Prices:"))
    assert "except lines marked table" in summary
    assert "AWS lists no price for SageMaker batch transform on ml.m5.large" in summary


@pytest.mark.parametrize("code", ["AccessDeniedException", "UnrecognizedClientException"])
def test_a_refusal_stops_the_lookups_and_the_report_never_claims_the_api(
    eu_settings, pricing, code
):
    client, stubber = pricing
    stubber.add_client_error("get_products", code, "not authorized to perform: pricing:GetProducts")
    prices = current_prices(eu_settings, client)  # one request only: the stubber has one
    assert prices.sources() == {TABLE}
    out = "\n".join(report(eu_settings, prices))
    assert API not in out, "the report names the Price List API though it used the table"
    assert f"Prices: the table (us-east-1 on-demand as of {PRICES_AS_OF})" in out
    assert f"AWS refused the price lookup ({code})" in out


class Unreachable:
    """A pricing client whose requests never arrive, as with no network or a proxy."""

    def __init__(self, error: Exception):
        self.calls, self.error = 0, error

    def get_products(self, **_):
        self.calls += 1
        raise self.error


@pytest.mark.parametrize(
    "error",
    [EndpointConnectionError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com"),
     ReadTimeoutError(endpoint_url="https://api.pricing.us-east-1.amazonaws.com")],
)  # fmt: skip
def test_no_network_costs_one_request_then_the_table(eu_settings, error):
    client = Unreachable(error)
    prices = current_prices(eu_settings, client)
    assert client.calls == 1
    assert prices.sources() == {TABLE}
    assert "could not reach AWS" in prices.problem
    assert API not in "\n".join(report(eu_settings, prices))


def test_lookups_stop_once_the_time_for_them_is_spent(eu_settings, pricing):
    client, stubber = pricing
    expected, entries = LOOKUPS[0]
    stubber.add_response("get_products", answer(*entries), expected)
    ticks = iter([0, 1, price_list.TOTAL_SECONDS + 1])  # start, first lookup, second
    api = price_list.PriceList(client, REGION, clock=lambda: next(ticks, 10**6))
    assert api.sagemaker_hourly("ml.m5.xlarge", "training") == 0.5
    assert api.sagemaker_hourly("ml.m5.large", "hosting") is None
    assert "took over" in api.problem


def test_without_credentials_the_table_is_used_and_nothing_is_asked(eu_settings):
    prices = current_prices(eu_settings)  # the tests clear every credential
    assert prices == table_prices(eu_settings, "no AWS credentials")


def test_the_pricing_client_cannot_hang_or_retry():
    config = price_list.PRICING_CLIENT_CONFIG
    assert config.connect_timeout <= 5 and config.read_timeout <= 10
    assert config.retries["max_attempts"] == 1


@pytest.mark.parametrize(
    ("region", "endpoint"),
    [("eu-west-1", "eu-central-1"), ("ap-southeast-2", "ap-south-1"), ("us-west-2", "us-east-1"),
     ("sa-east-1", "us-east-1")],
)  # fmt: skip
def test_the_nearest_price_list_endpoint_is_asked(region, endpoint):
    assert price_list.api_region(region) == endpoint
    # Only regions botocore knows a pricing endpoint in (its endpoints.json).
    assert endpoint in boto3.session.Session().get_available_regions("pricing")


@pytest.mark.parametrize(
    ("usage_type", "wanted", "matches"),
    [("USE1-ETL-DPU-Hour", "ETL-DPU-Hour", True), ("ETL-DPU-Hour", "ETL-DPU-Hour", True),
     ("APS3-Request", "Request", True), ("Request", "Request", True),
     ("Lambda-Edge-Request", "Request", False), ("USE1-Request-ARM", "Request", False),
     ("CW:AlarmMonitorUsage", "CW:AlarmMonitorUsage", True),
     ("USE1-Train-Spot:ml.m5.xlarge", "Train:ml.m5.xlarge", False)],
)  # fmt: skip
def test_usage_types_match_after_their_region_prefix_only(usage_type, wanted, matches):
    found = price_list.price_of([product(usage_type, 0.5)], wanted)
    assert found == (0.5 if matches else None)


def test_scoring_counts_two_batch_transform_jobs_only_when_comparing(settings_path):
    copy_project(settings_path.parent, "statemachine")
    settings = load_settings(settings_path)
    scoring = {line.what: line for line in run_lines(settings)}["Scoring"]
    hours = settings.scoring_timeout_minutes / 60
    assert scoring.at_most == pytest.approx(2 * 0.115 * hours)
    replace_line(settings_path, "scoring_instance_count =", "scoring_instance_count = 3")
    scoring = {line.what: line for line in run_lines(load_settings(settings_path))}["Scoring"]
    assert scoring.at_most == pytest.approx(2 * 3 * 0.115 * hours)
    assert "x 3 ml.m5.large" in scoring.detail
    replace_line(settings_path, "compare_with_live =", "compare_with_live = false")
    lines = run_lines(load_settings(settings_path))
    assert "Scoring" not in [line.what for line in lines]
    evaluator = {line.what: line for line in lines}["Evaluator"]
    assert evaluator.detail.startswith("1 Lambda invocation ")


def test_the_estimates_bounds_are_the_definitions(settings_path):
    from project.aws.deploy import pipeline_parameters
    from project.workflow.building_blocks import GLUE_REPORTS_FIRST_SECONDS
    from project.workflow.definition import (
        ENDPOINT_CHECK_INTERVAL_SECONDS,
        ENDPOINT_PROVISIONING_CHECKS,
        State,
        render_definition,
        rollout_seconds,
    )

    copy_project(settings_path.parent, "statemachine")
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    replace_line(settings_path, "timeout_minutes =", "timeout_minutes = 300")  # glue
    replace_line(settings_path, "scoring_timeout_minutes =", "scoring_timeout_minutes = 90")
    settings = load_settings(settings_path)
    states = json.loads(render_definition(settings))["States"]
    for state in (State.SCORE_LIVE_MODEL, State.SCORE_NEW_MODEL):
        assert states[state]["TimeoutSeconds"] == 90 * 60
        assert states[state]["Parameters"]["TransformResources"]["InstanceCount"] == 1
    assert states[State.PREPARE_DATA]["TimeoutSeconds"] == 300 * 60 + GLUE_REPORTS_FIRST_SECONDS
    assert pipeline_parameters(settings, {}, "image")["GlueTimeoutMinutes"] == "300"
    glue = {line.what: line for line in run_lines(settings)}["Glue ETL"]
    assert "at most 300 min" in glue.detail
    provisioning = ENDPOINT_PROVISIONING_CHECKS * ENDPOINT_CHECK_INTERVAL_SECONDS
    assert provisioning == MAX_PROVISIONING_MINUTES * 60
    for strategy, step in (("all-at-once", 50), ("canary", 10), ("linear", 10), ("linear", 30)):
        rollout = SimpleNamespace(
            rollout_strategy=strategy,
            rollout_step_percent=step,
            rollout_wait_seconds=120,
            rollout_final_bake_seconds=600,
        )
        assert rollout_seconds(rollout) == (
            provisioning + rollout_steps(rollout) * 120 + 600
        )  # fmt: skip


def test_offline_uses_the_table_and_says_so(settings_path, capsys, monkeypatch):
    copy_project(settings_path.parent, "statemachine")

    def no_lookups(*_args, **_kwargs):
        raise AssertionError("--offline looked prices up")

    monkeypatch.setattr("project.aws.estimate.current_prices", no_lookups)
    assert main(["--settings", str(settings_path), "estimate", "--offline"]) == 0
    out = capsys.readouterr().out
    assert f"Prices: the table (us-east-1 on-demand as of {PRICES_AS_OF}): --offline" in out
    assert API not in out


def test_the_evaluators_limits_are_the_stacks_and_fit_the_workflows_timeouts():
    """The estimate prices the evaluator as pipeline.yaml deploys it, and the Lambda
    stops before the state machine's task timeout (so Lambda, not States.Timeout,
    reports a slow comparison)."""
    from project.aws.cfn_template import load_template
    from project.aws.estimate import EVALUATOR_MEMORY_GB, EVALUATOR_TIMEOUT_SECONDS

    resources = load_template(PROJECT_ROOT / "infrastructure/pipeline.yaml")["Resources"]
    function = resources["EvaluatorFunction"]["Properties"]
    assert function["Timeout"] == EVALUATOR_TIMEOUT_SECONDS
    assert function["MemorySize"] == EVALUATOR_MEMORY_GB * 1024
    states = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())["States"]
    assert states["Compare new and live models (Lambda)"][
        "TimeoutSeconds"] > EVALUATOR_TIMEOUT_SECONDS  # fmt: skip


def test_the_workflow_line_counts_the_endpoint_wait_loop(settings_path):
    from project.aws.estimate import WAIT_LOOP_STATES
    from project.workflow.definition import endpoint_max_checks

    copy_project(settings_path.parent, "statemachine")
    settings = load_settings(settings_path)
    workflow = next(line for line in run_lines(settings) if line.what == "Workflow")
    states = json.loads((PROJECT_ROOT / "statemachine/definition.asl.json").read_text())["States"]
    most = len(states) + WAIT_LOOP_STATES * endpoint_max_checks(settings)
    assert f"at most {most} (the endpoint wait loop)" in workflow.detail
    assert workflow.at_most > workflow.typical
