"""The command line: settings show, check and fill."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from project.cli import main
from project.settings import fields

from .conftest import clear_account_values, replace_line


def test_check_accepts_the_baked_settings(settings_path, capsys):
    assert main(["--settings", str(settings_path), "settings", "check"]) == 0
    assert "all settings are valid" in capsys.readouterr().out


def test_a_bad_setting_fails_with_exit_2_and_one_line(settings_path, capsys):
    replace_line(settings_path, "region =", 'region = "eu-wast-1"')
    assert main(["--settings", str(settings_path), "settings", "check"]) == 2
    error = capsys.readouterr().err
    assert error == (
        "error: settings.toml: aws.region 'eu-wast-1' is not an AWS region; "
        "did you mean 'eu-west-1'?\n"
    )


def test_check_refuses_a_region_without_the_training_image(settings_path, capsys):
    replace_line(settings_path, "region =", 'region = "ap-southeast-5"')
    assert main(["--settings", str(settings_path), "settings", "check"]) == 2
    assert capsys.readouterr().err == (
        "error: settings.toml: aws.region 'ap-southeast-5' has no SageMaker XGBoost 1.7-1 "
        "image; choose a region that has one, such as 'ap-southeast-1'\n"
    )


def test_show_prints_every_setting(settings_path, capsys):
    assert main(["--settings", str(settings_path), "settings", "show"]) == 0
    lines = capsys.readouterr().out.splitlines()
    shown = [line.split()[0] for line in lines]
    assert shown == [row.location for row in fields.FIELDS]  # every row of the table
    assert any(line.startswith("training.volume_size_gb") and line.endswith(" 30")
               for line in lines)  # fmt: skip


def test_fill_writes_only_empty_values_and_keeps_comments(settings_path, capsys):
    clear_account_values(settings_path)
    before = settings_path.read_text(encoding="utf-8")
    assert (
        main(["--settings", str(settings_path), "settings", "fill", "--account-id", "123456789012"])
        == 0
    )
    after = settings_path.read_text(encoding="utf-8")
    assert "filled in aws.account_id = 123456789012" in capsys.readouterr().out
    document = tomllib.loads(after)
    assert document["aws"]["account_id"] == "123456789012"
    assert document["iam"]["lambda_role_arn"].endswith("-lambda-role")
    assert [line for line in before.splitlines() if line.startswith("#")] == [
        line for line in after.splitlines() if line.startswith("#")
    ]
    # A second fill has nothing left to do and changes nothing.
    assert (
        main(["--settings", str(settings_path), "settings", "fill", "--account-id", "123456789012"])
        == 0
    )
    assert settings_path.read_text(encoding="utf-8") == after


def test_fill_without_credentials_says_what_to_do(settings_path, capsys):
    clear_account_values(settings_path)
    assert main(["--settings", str(settings_path), "settings", "fill"]) == 2
    assert "configure AWS credentials or pass --account-id" in capsys.readouterr().err


@pytest.mark.parametrize("account", ["12", ""])
def test_fill_refuses_a_bad_account_id(settings_path, capsys, account):
    assert (
        main(["--settings", str(settings_path), "settings", "fill", "--account-id", account]) == 2
    )
    assert "--account-id" in capsys.readouterr().err


@pytest.mark.parametrize("local", [True, False])
def test_a_run_name_outside_the_projects_prefix_is_refused_in_one_line(
    settings_path, capsys, local
):
    """The IAM policies allow SageMaker jobs only under '<slug>-*': on AWS, 'test1'
    would pass Glue and then be denied at training. Refused before anything starts."""
    slug = tomllib.loads(settings_path.read_text(encoding="utf-8"))["project"]["slug"]
    command = ["--settings", str(settings_path), "run", "--run-name", "test1"]
    assert main(command + (["--local"] if local else [])) == 2
    error = capsys.readouterr().err
    assert error == (
        f"error: --run-name 'test1' must start with '{slug}-' (the project's IAM policies "
        f"allow its SageMaker jobs and models only under that prefix), e.g. '{slug}-test1'\n"
    )


def test_a_settings_file_that_is_not_utf8_is_one_line(settings_path, capsys):
    settings_path.write_bytes(settings_path.read_bytes().replace(b"[project]", b"[proj\xe9ct]"))
    assert main(["--settings", str(settings_path), "settings", "check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "is not UTF-8 text" in error
    assert error.count("\n") == 1


def test_a_bug_is_one_line_naming_the_log_and_verbose_shows_the_traceback(
    settings_path, capsys, monkeypatch
):
    from project import cli

    def broken(arguments):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli, "_show", broken)
    assert main(["--settings", str(settings_path), "settings", "show"]) == 1
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unexpected ZeroDivisionError" in error
    log = error.split("traceback in ")[1].split(";")[0]
    assert "Traceback (most recent call last)" in Path(log).read_text(encoding="utf-8")
    Path(log).unlink()
    with pytest.raises(ZeroDivisionError):
        main(["--verbose", "--settings", str(settings_path), "settings", "show"])


def test_a_settings_path_that_is_a_folder_is_one_line(tmp_path, capsys):
    assert main(["--settings", str(tmp_path), "settings", "check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {tmp_path}") and error.count("\n") == 1


def test_data_without_local_is_refused(settings_path, capsys):
    assert main(["--settings", str(settings_path), "run", "--data", "x.csv"]) == 2
    assert "--data is for --local runs" in capsys.readouterr().err


def test_rows_with_data_is_refused_not_ignored(settings_path, capsys):
    command = ["--settings", str(settings_path), "run", "--local", "--data", "x.csv"]
    assert main([*command, "--rows", "50"]) == 2
    assert "--rows sizes the generated sample" in capsys.readouterr().err


@pytest.mark.slow  # a new Python process that imports the SDK
def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    """`graph | head`: the pipe closes before the graph is written (the SDK takes a
    second to import); no traceback, as with any command-line tool."""
    import subprocess
    import sys

    from .project_alias import PACKAGE, PROJECT_ROOT

    command = [sys.executable, "-m", PACKAGE, "--settings", str(PROJECT_ROOT / "settings.toml"),
               "graph"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as child:
        child.stdout.close()
        assert child.wait(timeout=60) == 1
        assert child.stderr.read() == b""


def test_the_global_options_work_after_the_command_too(settings_path, capsys):
    assert main(["settings", "check", "--settings", str(settings_path), "--verbose"]) == 0
    assert "all settings are valid" in capsys.readouterr().out


def test_every_commands_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "exit codes: 0 done, 1 the run or check failed" in capsys.readouterr().out
