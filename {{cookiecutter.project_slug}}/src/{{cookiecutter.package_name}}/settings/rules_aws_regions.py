"""AWS regions and their ARN partitions, and the regions where the project's XGBoost
image does not exist.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

from .rules_suggestions import did_you_mean

# Regions by ARN partition, most used first: a suggestion for a typo prefers them.
# fmt: off
PARTITION_REGIONS: dict[str, tuple[str, ...]] = {
    "aws": (
        "us-east-1", "us-east-2", "us-west-2", "us-west-1", "eu-west-1", "eu-central-1",
        "ap-southeast-1", "ap-northeast-1", "ap-southeast-2", "eu-west-2", "ap-south-1",
        "ca-central-1", "sa-east-1", "eu-north-1", "eu-west-3", "ap-northeast-2",
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-3", "ap-south-2",
        "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6",
        "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1", "eu-south-2",
        "il-central-1", "me-central-1", "me-south-1", "mx-central-1",
    ),
    "aws-cn": ("cn-north-1", "cn-northwest-1"),
    "aws-us-gov": ("us-gov-west-1", "us-gov-east-1"),
}
# fmt: on

REGION_PARTITION = {
    region: partition for partition, regions in PARTITION_REGIONS.items() for region in regions
}

# The version of SageMaker's built-in XGBoost that the training job and the endpoint
# run, and the regions above where the sagemaker SDK (2.257, its
# image_uri_config/xgboost.json) has no image of it, for training or for inference:
# `deploy` could not name the image there. tests/settings/test_rules.py keeps this list
# equal to the SDK's data; it is spelt out here because the bake's hooks cannot import
# the SDK.
XGBOOST_VERSION = "1.7-1"
REGIONS_WITHOUT_XGBOOST_IMAGE = (
    "ap-east-2", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "mx-central-1",
)  # fmt: skip


def aws_region(value: str) -> str | None:
    if value not in REGION_PARTITION:
        return f"'{value}' is not an AWS region{did_you_mean(value, REGION_PARTITION)}"
    if value in REGIONS_WITHOUT_XGBOOST_IMAGE:
        return (
            f"'{value}' has no SageMaker XGBoost {XGBOOST_VERSION} image; choose a region "
            f"that has one, such as '{_region_with_image_near(value)}'"
        )
    return None


def _region_with_image_near(region: str) -> str:
    """The most used region with the image whose name shares the most leading parts
    with ``region`` ('ap-east-2' -> 'ap-east-1'): a suggestion, not a latency promise."""
    candidates = [
        other
        for other in PARTITION_REGIONS[REGION_PARTITION[region]]
        if other not in REGIONS_WITHOUT_XGBOOST_IMAGE
    ]
    parts = region.split("-")
    for shared in (2, 1):
        near = [other for other in candidates if other.split("-")[:shared] == parts[:shared]]
        if near:
            return near[0]
    return candidates[0]


def partition_of(region: str) -> str:
    """The ARN partition of a region: 'aws', 'aws-cn' or 'aws-us-gov'."""
    return REGION_PARTITION[region]
