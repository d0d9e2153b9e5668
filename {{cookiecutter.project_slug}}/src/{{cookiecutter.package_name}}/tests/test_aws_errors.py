"""AWS failures become one line that says what to do (botocore errors built by hand)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

from ..aws_errors import AwsError, explained
from ..cli import main
from .conftest import PROJECT_ROOT


def client_error(code: str, message: str, operation: str = "CreateChangeSet") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


def explain(error: Exception) -> str:
    with pytest.raises(AwsError) as raised, explained("deploy", "eu-west-1"):
        raise error
    return str(raised.value)


def test_access_denied_names_the_refused_action():
    message = explain(
        client_error(
            "AccessDenied",
            "User: arn:aws:sts::1:assumed-role/dev/me is not authorized to perform: "
            "iam:CreateRole on resource: arn:aws:iam::1:role/x",
        )
    )
    assert message.startswith("deploy: access denied on iam:CreateRole; ask your AWS admin")


def test_access_denied_without_a_named_action_falls_back_to_the_operation():
    assert "access denied on StartExecution" in explain(
        client_error("AccessDeniedException", "denied", "StartExecution")
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NoCredentialsError(), "no usable AWS credentials"),
        (client_error("ExpiredToken", "The security token included has expired"), "expired"),
        (client_error("InvalidClientTokenId", "bad"), "does not accept these credentials"),
        (EndpointConnectionError(endpoint_url="https://x"), "cannot reach AWS in eu-west-1"),
        (client_error("ThrottlingException", "Rate exceeded"), "throttling"),
        (client_error("Weird", "something new"), "Weird: something new"),
    ],
)
def test_each_likely_error_is_explained(error, expected):
    message = explain(error)
    assert expected in message and "\n" not in message


def test_the_cli_prints_no_credentials_as_one_line(capsys):
    # The conftest hides every credential source, so STS is never reached.
    assert main(["--settings", str(PROJECT_ROOT / "settings.toml"), "deploy"]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "no usable AWS credentials" in error or "aws.account_id is empty" in error
