"""Current on-demand prices from the AWS Price List API (GetProducts), for `estimate`.

Each lookup answers a price in USD or None; None means "use the dated table" and
``PriceList.problem`` says why (in words that never name the API: a report that fell
back must not read as if it used it). Nothing here may stall the estimate: short timeouts,
no retries, and after a failure that would repeat for every lookup (no credentials,
access denied, no network) no further request is sent.

Products are found by region and one attribute (SageMaker's ``instanceName``, or a
``productFamily``), then told apart by ``usagetype``: AWS prefixes it with a region
code (``USE1-Host:ml.m5.large``; none for some services in us-east-1), so the match
is on what follows the prefix (see FIDELITY.md).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# The Price List Query API answers in these regions only (botocore's endpoints.json);
# any of them prices every region. The nearest one is asked.
API_REGIONS = {"ap-": "ap-south-1", "eu-": "eu-central-1", "me-": "eu-central-1"}
DEFAULT_API_REGION = "us-east-1"
# A few seconds at most per request and for the whole estimate: the dated table is a
# fine answer, a hung command is not.
PRICING_CLIENT_CONFIG = Config(
    connect_timeout=3, read_timeout=5, retries={"mode": "standard", "max_attempts": 1}
)
TOTAL_SECONDS = 15
MAX_PAGES = 5  # of 100 products each, per lookup
# SageMaker's usage types by what an instance does.
SAGEMAKER_USES = {"training": "Train", "hosting": "Host", "batch transform": "Tsform"}
# A usage type's region prefix: USE1-, EUC1-, EU-, APS3-, UGW1- ...
_REGION_PREFIX = re.compile(r"^[A-Z]{2,4}[0-9]{0,2}-")
# Failures that every later request would repeat: stop asking.
_GIVE_UP_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
}


def api_region(region: str) -> str:
    return next((api for prefix, api in API_REGIONS.items() if region.startswith(prefix)),
                DEFAULT_API_REGION)  # fmt: skip


class PriceList:
    """Prices for one region, looked up with ``client`` (a boto3 ``pricing`` client)."""

    def __init__(self, client: Any, region: str, clock: Callable[[], float] = time.monotonic):
        self.client = client
        self.region = region
        self.problem: str | None = None  # why the last lookup, or every later one, failed
        self._stopped = False
        self._clock = clock
        self._deadline = clock() + TOTAL_SECONDS

    def sagemaker_hourly(self, instance_type: str, use: str) -> float | None:
        """The hourly price of ``instance_type`` for ``use`` (a key of SAGEMAKER_USES)."""
        return self._lookup(
            "AmazonSageMaker",
            {"instanceName": instance_type},
            f"{SAGEMAKER_USES[use]}:{instance_type}",
            f"SageMaker {use} on {instance_type}",
        )

    def glue_dpu_hour(self) -> float | None:
        # Spark jobs (standard execution class); Flex and Ray have their own usage types.
        return self._lookup("AWSGlue", {}, "ETL-DPU-Hour", "Glue ETL DPU-hour")

    def lambda_gb_second(self) -> float | None:
        # x86_64 (the evaluator's architecture); Arm's usage type ends in -ARM.
        return self._lookup("AWSLambda", {}, "Lambda-GB-Second", "Lambda GB-second")

    def lambda_request(self) -> float | None:
        return self._lookup("AWSLambda", {}, "Request", "Lambda request")

    def alarm_month(self) -> float | None:
        """A standard-resolution metric alarm for a month."""
        return self._lookup(
            "AmazonCloudWatch", {"productFamily": "Alarm"}, "CW:AlarmMonitorUsage",
            "CloudWatch alarm",
        )  # fmt: skip

    def _lookup(
        self, service: str, attributes: dict[str, str], usage: str, what: str
    ) -> float | None:
        if self._stopped:
            return None
        if self._clock() > self._deadline:
            return self._stop(f"the price lookup took over {TOTAL_SECONDS} s in all")
        filters = [{"Type": "TERM_MATCH", "Field": "regionCode", "Value": self.region}]
        filters += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in attributes.items()]
        request: dict[str, Any] = {"ServiceCode": service, "Filters": filters, "MaxResults": 100}
        try:
            for _ in range(MAX_PAGES):
                answer = self.client.get_products(**request)
                price = price_of(answer.get("PriceList", []), usage)
                if price is not None:
                    return price
                if not answer.get("NextToken"):
                    break
                request["NextToken"] = answer["NextToken"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in _GIVE_UP_CODES:
                return self._stop(f"AWS refused the price lookup ({code})")
            self.problem = f"the price lookup for {what} failed ({code or error})"
            return None
        except BotoCoreError as error:
            # No credentials, no network, a timeout: every later request would fail too.
            return self._stop(f"the price lookup could not reach AWS ({type(error).__name__})")
        self.problem = f"AWS lists no price for {what} in {self.region}"
        return None

    def _stop(self, problem: str) -> float | None:
        self._stopped, self.problem = True, problem
        return None


def price_of(price_list: list[str], usage: str) -> float | None:
    """The on-demand USD price of the product whose usage type is ``usage`` after its
    region prefix. Of several tiers, the highest: free tiers and volume discounts
    aside, as the estimate of a single project's usage is."""
    for entry in price_list:
        product = json.loads(entry)  # each entry is a JSON document in a string
        usage_type = product.get("product", {}).get("attributes", {}).get("usagetype", "")
        if usage not in (usage_type, _REGION_PREFIX.sub("", usage_type, count=1)):
            continue
        prices = [
            float(dimension["pricePerUnit"]["USD"])
            for term in product.get("terms", {}).get("OnDemand", {}).values()
            for dimension in term.get("priceDimensions", {}).values()
            if "USD" in dimension.get("pricePerUnit", {})
        ]
        if prices and max(prices) > 0:
            return max(prices)
    return None
