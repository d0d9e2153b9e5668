"""AWS failures a user is likely to hit, each said in one line with what to do.

The commands that talk to AWS wrap their calls in ``explained(...)``; the CLI
prints an ``AwsError`` as one line and exits with code 2, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
    SSOTokenLoadError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)

ACCESS_DENIED_CODES = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
}
EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}
BAD_CREDENTIAL_CODES = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidAccessKeyId",
}
# AWS names the refused action in its message: "... is not authorized to perform:
# cloudformation:CreateChangeSet on resource: ...".
_REFUSED_ACTION = re.compile(r"perform: ([A-Za-z0-9-]+:[A-Za-z0-9]+)")
_LOGIN_HINT = "log in again (aws sso login, or refresh your keys), or set AWS_PROFILE"


class AwsError(Exception):
    """An AWS call failed for a reason the user can fix; the message says how."""


@contextmanager
def explained(action: str, region: str = "the configured region") -> Iterator[None]:
    """Turn the botocore errors raised while doing ``action`` into one-line AwsErrors."""
    try:
        yield
    except (NoCredentialsError, ProfileNotFound) as error:
        raise AwsError(
            f"{action}: no usable AWS credentials ({error}); configure them "
            "(aws configure sso, or AWS_PROFILE)"
        ) from None
    except (SSOTokenLoadError, TokenRetrievalError, UnauthorizedSSOTokenError):
        raise AwsError(f"{action}: your AWS login has expired; {_LOGIN_HINT}") from None
    except NoRegionError:
        raise AwsError(f"{action}: no region; set aws.region in settings.toml") from None
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError):
        raise AwsError(
            f"{action}: cannot reach AWS in {region}; check aws.region in settings.toml "
            "and your network or proxy"
        ) from None
    except ClientError as error:
        raise AwsError(f"{action}: {describe(error, region)}") from None


def describe(error: ClientError, region: str) -> str:
    """What went wrong and what to do, from AWS's error code and message."""
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", "")
    if code in ACCESS_DENIED_CODES:
        refused = _REFUSED_ACTION.search(message)
        action = refused[1] if refused else error.operation_name
        return (
            f"access denied on {action}; ask your AWS administrator to allow it for the "
            "role you are using, or switch to one that has it (AWS_PROFILE)"
        )
    if code in EXPIRED_CODES:
        return f"your AWS session has expired; {_LOGIN_HINT}"
    if code in BAD_CREDENTIAL_CODES:
        return (
            f"AWS does not accept these credentials in {region} ({code}); check that they "
            "belong to this partition and that the region is enabled in the account"
        )
    if code in {"Throttling", "ThrottlingException", "TooManyRequestsException"}:
        return "AWS is throttling requests; wait a minute and try again"
    return f"{code}: {message}" if code else str(error)
