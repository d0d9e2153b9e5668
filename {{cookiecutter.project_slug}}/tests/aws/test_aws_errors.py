"""AWS failures become one line that says what to do (botocore errors built by hand)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError
from project.aws.errors import AwsError, explained
from project.cli import main

from ..conftest import clear_account_values, replace_line


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


def test_the_cli_prints_no_credentials_as_one_line(settings_path, capsys):
    # The conftest hides every credential source, so STS is never reached.
    clear_account_values(settings_path)
    replace_line(settings_path, "account_id =", 'account_id = "123456789012"')
    assert main(["--settings", str(settings_path), "deploy"]) == 2
    assert capsys.readouterr().err == (
        "error: deploy: no usable AWS credentials (Unable to locate credentials); "
        "configure them (aws configure sso, or AWS_PROFILE)\n"
    )


def test_an_empty_account_is_a_settings_error(settings_path, capsys):
    clear_account_values(settings_path)
    assert main(["--settings", str(settings_path), "deploy"]) == 2
    assert "aws.account_id is empty; run" in capsys.readouterr().err
