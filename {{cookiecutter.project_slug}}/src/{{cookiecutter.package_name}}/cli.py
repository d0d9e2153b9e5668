"""The project's command line: one entry point for every task a user runs.

Exit codes: 0 done; 1 the run or check failed (said in one line); 2 the user must fix
something (one line that says what and how); 130 interrupted (Ctrl-C). A bug shows
its traceback only with --verbose; otherwise one line names the log file that holds it.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from . import exit_codes
from .aws import commands as aws_commands
from .aws.errors import AwsError, explained
from .local import trigger_commands
from .project_layout import DEFINITION_PATH, README_PATH, definition_path
from .settings import Settings, SettingsError, aws_account, fields, fill_in, load_settings, rules


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "retrain",
        description="Retraining pipeline: settings, workflow, local runs and deployment.",
        epilog=exit_codes.HELP,
    )
    _add_global_options(parser, default=False)
    commands = parser.add_subparsers(dest="command", required=True)
    _add_settings_and_data_commands(commands)
    _add_definition_commands(commands)
    _add_deploy_commands(commands)
    _add_run_commands(commands)
    _add_aws_tooling_commands(commands)
    _add_endpoint_commands(commands)
    _add_registry_commands(commands)
    _add_sample_data_command(commands)
    return parser


def _add_settings_and_data_commands(commands) -> None:
    """Settings show|check|fill, data init|check."""
    settings_parser = _command(commands, "settings", help="show, check or fill in settings.toml")
    settings_commands = settings_parser.add_subparsers(dest="settings_command", required=True)
    _command(
        settings_commands, "show", help="print every setting, derived names included"
    ).set_defaults(handler=_show)
    check = _command(settings_commands, "check", help="validate settings.toml")
    check.add_argument(
        "--data-size", metavar="SIZE",
        help="also refuse settings that cannot run on this much raw CSV (e.g. 100GB): "
             "training memory, disk, Glue's and the comparison's time limits",
    )  # fmt: skip
    check.set_defaults(handler=_check)
    fill = _command(
        settings_commands,
        "fill",
        help="fill in the empty account, bucket and role ARNs from your AWS credentials",
    )
    fill.add_argument("--account-id", help="use this account id instead of asking AWS STS")
    fill.set_defaults(handler=_fill)
    data = _command(commands, "data", help="your own data: learn a CSV's schema, check a file")
    data_commands = data.add_subparsers(dest="data_command", required=True)
    data_init = _command(
        data_commands,
        "init",
        help="write [data] in settings.toml from a sample of a CSV (a path, or s3://)",
    )
    data_init.add_argument("source", help="the CSV: a local path, or s3://bucket/key on AWS")
    data_init.add_argument("--label", help="the label column (default: told from the data)")
    data_init.set_defaults(handler=_data_init)
    data_check = _command(
        data_commands, "check", help="how a local CSV fits [data]: rows kept, and dropped by reason"
    )
    data_check.add_argument("csv", type=Path, help="the CSV file")
    data_check.set_defaults(handler=_data_check)


def _add_definition_commands(commands) -> None:
    """Render and graph: the committed definition."""
    render = _command(
        commands, "render", help=f"write the state machine definition to {DEFINITION_PATH}"
    )
    render.add_argument(
        "--check",
        action="store_true",
        help="only compare: exit 1 if the committed definition differs from the settings",
    )
    render.set_defaults(handler=_render)
    _command(commands, "graph", help="print the workflow as a Mermaid diagram").set_defaults(
        handler=_graph
    )


def _add_deploy_commands(commands) -> None:
    """Deploy, and the preflight checks it runs first."""
    deploy = _command(
        commands, "deploy", help="upload the code and create or update the stacks on AWS"
    )
    deploy.add_argument(
        "--skip-preflight", action="store_true", help="do not run the preflight checks first"
    )
    _add_stage_option(deploy)
    deploy.set_defaults(handler=aws_commands.deploy_command)
    preflight = _command(
        commands,
        "preflight",
        help="check quotas, image, roles, bucket and stacks on AWS before deploying (read-only)",
    )
    preflight.add_argument(
        "--local", action="store_true",
        help="rehearse every check against stubbed answers of a healthy account; AWS is not asked",
    )  # fmt: skip
    _add_stage_option(preflight)
    preflight.set_defaults(handler=aws_commands.preflight_command)


def _add_run_commands(commands) -> None:
    """Run (AWS or --local), status, history."""
    run = _command(commands, "run", help="run the retraining workflow (on AWS unless --local)")
    run.add_argument(
        "--local", action="store_true", help="on this machine: Spark, xgboost, local endpoint"
    )
    run.add_argument("--wait", action="store_true", help="on AWS: follow the run to its end")
    run.add_argument("--rows", type=_positive, help="--local: sample rows (default 1000)")
    run.add_argument("--data", type=Path, help="--local: a raw CSV to use instead of the sample")
    run.add_argument("--run-name", help="name the run (default: <slug>-<uuid>)")
    run.add_argument(
        "--skip-size-check", action="store_true",
        help="on AWS: start even if the raw data seems too large for the training instances",
    )  # fmt: skip
    run.set_defaults(handler=_run)
    for name, text, handler in (
        ("status", "how a run on AWS is doing", aws_commands.status_command),
        ("history", "a run's events", aws_commands.history_command),
    ):
        past = _command(commands, name, help=text)
        past.add_argument("run", nargs="?", help="run name or execution ARN (default: latest)")
        _add_stage_option(past)
        past.set_defaults(handler=handler)


def _add_aws_tooling_commands(commands) -> None:
    """Destroy, estimate, iam-policies, ci-role, upload-data."""
    destroy = _command(
        commands,
        "destroy",
        help="stop runs, remove the endpoint and stacks, list what is left (asks first)",
    )
    destroy.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    destroy.add_argument(
        "--force", action="store_true", help="delete the bucket even when it holds data"
    )
    _add_stage_option(destroy)
    destroy.set_defaults(handler=aws_commands.destroy_command)
    estimate = _command(
        commands,
        "estimate",
        help="the cost of a run and of the endpoint (current AWS prices when credentials allow)",
    )
    estimate.add_argument(
        "--offline", action="store_true", help="use the dated price table; do not ask AWS"
    )
    estimate.add_argument(
        "--data-size", metavar="SIZE",
        help="each stage's time and cost on this much raw CSV (100GB, 1TB), and whether "
        "the settings can run it",
    )  # fmt: skip
    estimate.set_defaults(handler=_estimate)
    policies = _command(
        commands,
        "iam-policies",
        help="print the trust and permission policies each role needs (JSON)",
    )
    policies.add_argument(
        "--role",
        choices=("sagemaker", "stepfunctions", "glue", "lambda", "scheduler", "approval"),
        help="only this role (default: every role the project needs)",
    )
    policies.set_defaults(handler=_iam_policies)
    ci_role = _command(commands, "ci-role", help="create the role CI assumes (OIDC) to deploy")
    ci_role.add_argument("--repository", required=True, help="owner/name or group/project")
    ci_role.add_argument(
        "--provider", choices=("github", "gitlab"), help="default: from the project's CI files"
    )
    ci_role.add_argument(
        "--environment-checked",
        action="store_true",
        help="GitHub: you checked by hand that only the deploy branch may deploy to the "
        "'production' environment; do not read it through GitHub's API (which needs "
        "GITHUB_TOKEN or GH_TOKEN)",
    )
    _add_stage_option(ci_role)
    ci_role.set_defaults(handler=aws_commands.ci_role_command)
    upload = _command(commands, "upload-data", help="upload a raw CSV for runs (AWS or --local)")
    upload.add_argument("csv", nargs="?", type=Path, help="the CSV to upload")
    upload.add_argument("--sample", action="store_true", help="upload generated sample data")
    upload.add_argument("--rows", type=_positive, default=1000, help="--sample: rows")
    upload.set_defaults(handler=trigger_commands.upload_data_handler(
        aws_commands.upload_data_command))  # fmt: skip
    watch = _command(
        commands, "watch", help="--local: new files under .local/'s raw prefix start runs"
    )
    trigger_commands.add_arguments(upload, watch)
    drift = _command(
        commands, "drift",
        help="the live model's captured requests against its training baseline: the newest "
             "report on AWS, or --local: check the local endpoint now",
    )  # fmt: skip
    drift.add_argument("--local", action="store_true", help="check the local endpoint now")
    drift.set_defaults(handler=trigger_commands.drift_command)


def _add_endpoint_commands(commands) -> None:
    """Invoke and serve: the live model."""
    invoke = _command(
        commands, "invoke", help="send CSV rows to the live endpoint; one prediction per row"
    )
    invoke.add_argument(
        "csv", nargs="?", type=Path,
        help="rows of the model's encoded features, optionally under a header (default: stdin)",
    )  # fmt: skip
    invoke.add_argument("--local", action="store_true", help="the live local model")
    serve = _command(commands, "serve", help="serve the live local model on 127.0.0.1")
    serve.add_argument("--port", type=_port, default=8080, help="1 to 65535 (default 8080)")
    for parser, handler in ((invoke, _invoke), (serve, _serve)):
        _add_stage_option(parser)
        parser.set_defaults(handler=handler)


def _add_sample_data_command(commands) -> None:
    """Sample-data."""
    sample = _command(commands, "sample-data", help="write a deterministic sample dataset")
    sample.add_argument("--rows", type=_positive, default=1000)
    sample.add_argument("--output", type=Path, default=Path("sample.csv"))
    sample.set_defaults(handler=_sample_data)


def _add_registry_commands(commands) -> None:
    """models, approve, rollback: the model registry and the live model, AWS or --local."""
    from .models import (
        commands as model_commands,  # light: it imports boto3 or Spark only when it runs
    )

    local_help = "in local mode (.local/) instead of on AWS"
    models = _command(commands, "models", help="the registered model versions (* is live)")
    models.add_argument("version", nargs="?", type=_positive, help="also show why it was decided")
    approve = _command(commands, "approve", help="approve a model version, which deploys it")
    approve.add_argument("version", type=_positive, help="the version number (see 'models')")
    rollback = _command(
        commands, "rollback", help="point the endpoint back at the previous approved version"
    )
    for parser, handler in (
        (models, model_commands.models_command),
        (approve, model_commands.approve_command),
        (rollback, model_commands.rollback_command),
    ):
        parser.add_argument("--local", action="store_true", help=local_help)
        _add_stage_option(parser)
        parser.set_defaults(handler=handler)
    promote = _command(
        commands, "promote",
        help="send an approved version to a later stage's account ([stages]), which deploys it",
    )  # fmt: skip
    promote.add_argument("--to", required=True, metavar="STAGE", help="the stage, e.g. prod")
    promote.add_argument("version", type=_positive, help="the first stage's version number")
    promote.add_argument("--local", action="store_true",
                         help="between local accounts: .local/ and .local-STAGE/")  # fmt: skip
    promote.set_defaults(handler=model_commands.promote_command)


def _add_stage_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stage", metavar="NAME",
        help="the account of this stage of [stages] (default: the first, [aws])",
    )  # fmt: skip


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    verbose = default if default is argparse.SUPPRESS else False
    settings = default if default is argparse.SUPPRESS else None
    parser.add_argument(
        "--verbose", action="store_true", default=verbose,
        help="show tracebacks and Spark's own output",
    )  # fmt: skip
    parser.add_argument(
        "--settings", type=Path, default=settings,
        help="settings file (default: settings.toml in this folder or a parent)",
    )  # fmt: skip


# The global options again, for after a command's name (`run --local --verbose`); left
# unset there unless given, so that the ones before the command still count.
_AFTER_THE_COMMAND = argparse.ArgumentParser(add_help=False)
_add_global_options(_AFTER_THE_COMMAND, default=argparse.SUPPRESS)


def _command(group, name: str, **options) -> argparse.ArgumentParser:
    """A command (or a command's subcommand): it takes the global options too, and its
    --help lists the exit codes."""
    return group.add_parser(name, parents=[_AFTER_THE_COMMAND], epilog=exit_codes.HELP, **options)


def _port(text: str) -> int:
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port; use 1 to 65535")
    return int(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def entry_point() -> None:
    """The console script (and ``python -m``): run the command, exit with its code.

    After Ctrl-C it exits at once: a JVM or a library thread interrupted mid-call
    could otherwise hold up the interpreter's shutdown, and Ctrl-C must end a run
    within seconds. (Spark's JVM ends by itself when its pipe to this process closes.)
    """
    code = main()
    if code == exit_codes.INTERRUPTED:
        _end_child_processes()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _end_child_processes() -> None:
    """End the processes this one started (a JVM Spark was still starting, say): one
    interrupted before it could watch its pipe to this process would outlive it."""
    try:
        found = subprocess.run(
            ["pgrep", "-P", str(os.getpid())], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return
    for pid in found.stdout.split():
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pid), signal.SIGKILL)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    command = getattr(arguments, "settings_command", None) or arguments.command
    try:
        with explained(command):
            return arguments.handler(arguments)
    except (SettingsError, AwsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return exit_codes.USER_MUST_FIX
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (`| head`): stop quietly, as other tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return exit_codes.FAILED
    except OSError as error:
        if error.errno == errno.ENOSPC and not error.filename:
            print(f"error: no space left on the disk ({error.strerror}); free some space",
                  file=sys.stderr)  # fmt: skip
            return exit_codes.USER_MUST_FIX
        if not error.filename:  # not about a file of the user's: a bug, below
            raise
        print(f"error: {error.filename}: {error.strerror}", file=sys.stderr)
        return exit_codes.USER_MUST_FIX
    except Exception as error:  # a bug, not the user's doing: keep the traceback
        if arguments.verbose:
            raise
        log = _write_traceback()
        print(f"error: unexpected {type(error).__name__}: {error} (traceback in {log}; "
              "--verbose shows it)", file=sys.stderr)  # fmt: skip
        return exit_codes.FAILED


def _write_traceback() -> str:
    with tempfile.NamedTemporaryFile(
        "w", prefix="retrain-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as log:
        log.write(traceback.format_exc())
    return log.name


def _show(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    for name, value in describe(settings):
        print(f"{name:<32} {value}")
    return exit_codes.DONE


def describe(settings: Settings) -> list[tuple[str, str]]:
    """Every setting (each row of settings/fields.py, in order) with its value; values
    derived from the account are resolved where the account is known."""

    def derived(compute: Callable[[], str]) -> str:
        try:
            return f"{compute()}  (derived)"
        except SettingsError:
            return "(derived once aws.account_id is known: run 'settings fill')"

    shown = {
        "aws_region": f"{settings.region}  (partition {settings.partition})",
        "aws_account_id": settings.account_id or "(not set)",
        "artifact_bucket": settings.artifact_bucket_setting
        or derived(lambda: settings.artifact_bucket),
    }
    for role_field in rules.ROLE_FIELDS:
        shown[role_field] = settings.role_arn_settings[role_field] or derived(
            lambda role_field=role_field: settings.role_arn(role_field)
        )
    return [
        (row.location, shown.get(row.name) or _as_text(settings.values[row.name]))
        for row in fields.FIELDS
    ]


def _as_text(value: object) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{key}={_as_text(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "|".join(map(str, value)) if value else "(none)"
    return str(value) if value != "" else '""'


def _check(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    print(f"{settings.path}: all settings are valid")
    from .aws.run_length import schedule_warning  # light: the estimate's constants

    warning = schedule_warning(settings)
    if warning:
        print(f"warning: {warning}")
    if arguments.data_size:
        from .aws import scale_estimate

        size = arguments.data_size.strip()
        stopped = scale_estimate.blockers(settings, size)
        for line in stopped:
            print(f"error: at {size}, {line}", file=sys.stderr)
        if stopped:
            return exit_codes.FAILED
        print(f"at {size} of raw CSV these settings can run ('estimate --data-size {size}' "
              "gives each stage's time and cost)")  # fmt: skip
    return exit_codes.DONE


def _fill(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    account = arguments.account_id
    if account is not None:
        problem = rules.aws_account_id(account)
        if problem or not account:
            raise SettingsError(f"--account-id {problem or 'is empty; give 12 digits'}")
    elif not settings.account_id:
        lookup = aws_account.lookup_account_id(settings.region)
        if not lookup.account_id:
            raise SettingsError(
                f"cannot fill in the account: {lookup.explanation}; configure AWS credentials "
                "or pass --account-id"
            )
        account = lookup.account_id
    updates = fill_in.fill_in_file(settings.path, settings.values, account)
    if not updates:
        print(f"{settings.path}: nothing to fill in; every derived value is already set")
        return exit_codes.DONE
    for name, value in updates.items():
        print(f"filled in {fields.DISPLAY_NAMES[name]} = {value}")
    load_settings(settings.path)  # the result must still pass every rule
    return exit_codes.DONE


def _render(arguments: argparse.Namespace) -> int:
    """Write (or, with --check, compare) the definition and the README's graph."""
    from .workflow.definition import render_definition  # imports sagemaker: only when needed
    from .workflow.graph import to_mermaid, with_graph_block

    settings = load_settings(arguments.settings)
    rendered = render_definition(settings)
    root = settings.path.parent
    readme = root / README_PATH
    wanted = {DEFINITION_PATH: rendered}
    for stage in settings.stages.later:  # each later stage's own, for its endpoint
        wanted[definition_path(stage.name)] = render_definition(settings.for_stage(stage.name))
    if readme.is_file():
        graph = to_mermaid(json.loads(rendered))
        wanted[README_PATH] = with_graph_block(readme.read_text(encoding="utf-8"), graph)
    stale = [
        relative
        for relative, text in wanted.items()
        if not (root / relative).is_file() or (root / relative).read_text(encoding="utf-8") != text
    ]
    if arguments.check:
        if not stale:
            print(f"{_definitions(wanted)} and the README graph match the settings")
            return exit_codes.DONE
        names = " and ".join(str(relative) for relative in stale)
        print(
            f"{names} differ from what the settings give; "
            f"run '{settings.slug} render' and commit the result",
            file=sys.stderr,
        )
        return exit_codes.FAILED
    for relative in stale:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(wanted[relative], encoding="utf-8")
        print(f"wrote {relative}")
    if not stale:
        print(f"{_definitions(wanted)} and the README graph are up to date")
    return exit_codes.DONE


def _definitions(wanted: dict[Path, str]) -> str:
    return ", ".join(str(path) for path in wanted if path != README_PATH)


def _data_init(arguments: argparse.Namespace) -> int:
    from .dataset.init import init

    settings = load_settings(arguments.settings)
    _schema, lines = init(settings, arguments.source, arguments.label)
    print("\n".join(lines))
    # The Glue job reads the schema from the definition: render it for the new table.
    return _render(argparse.Namespace(settings=settings.path, check=False))


def _data_check(arguments: argparse.Namespace) -> int:
    from .dataset.check import check
    from .local.run import LOCAL_FOLDER, check_java, spark_starter

    settings = load_settings(arguments.settings)
    if str(arguments.csv).startswith("s3:"):
        raise SettingsError(
            "data check reads a local file (on local Spark); copy a sample of the S3 "
            "object here first (aws s3 cp ...)"
        )
    check_java()
    spark = spark_starter(settings.path.parent / LOCAL_FOLDER, arguments.verbose)
    result = check(settings, arguments.csv, spark)
    print("\n".join(result.lines))
    return exit_codes.DONE if result.fits else exit_codes.FAILED


def _graph(arguments: argparse.Namespace) -> int:
    from .workflow.definition import build_definition
    from .workflow.graph import to_mermaid

    settings = load_settings(arguments.settings)
    print(to_mermaid(build_definition(settings).to_dict()), end="")
    return exit_codes.DONE


def _run(arguments: argparse.Namespace) -> int:
    settings = load_settings(arguments.settings)
    if arguments.run_name:  # the same rule for both places a run can happen
        problem = rules.run_name(arguments.run_name, settings.slug)
        if problem:
            raise SettingsError(f"--run-name {problem}")
    if not arguments.local:
        if arguments.data:
            raise SettingsError("--data is for --local runs; on AWS, 'upload-data' it first")
        return aws_commands.run_command(arguments)
    if arguments.data and arguments.rows is not None:
        raise SettingsError("--rows sizes the generated sample; --data uses every row of its file")
    from .local.run import run_locally  # imports Spark and xgboost: only when needed
    from .sample_data import DEFAULT_ROWS
    from .workflow.display import display_for

    print(f"running {settings.slug} locally (the deployed definition, local services)")
    result = run_locally(
        settings,
        settings.path.parent,
        rows=arguments.rows or DEFAULT_ROWS,
        data=arguments.data,
        run_name=arguments.run_name,
        verbose=arguments.verbose,
        display=display_for(sys.stdout),
    )
    return result.exit_code()


def _serve(arguments: argparse.Namespace) -> int:
    from .local.accounts import stage_folder
    from .local.serve import PortUnavailable, make_server
    from .local.services import Workspace, live_model
    from .models.commands import stage_settings
    from .settings.names import endpoint_name

    settings = stage_settings(arguments)
    workspace = Workspace(stage_folder(settings))
    try:
        endpoint, archive = live_model(workspace, endpoint_name(settings))
    except FileNotFoundError as error:
        raise SettingsError(f"{error}; run '{settings.slug} run --local'") from None

    def serving_now() -> Path:  # what the local endpoint serves after a later run
        return live_model(workspace, endpoint_name(settings))[1]

    from .local.capture import capture_of

    capture = capture_of(workspace, endpoint)
    try:
        server = make_server(archive, port=arguments.port, live=serving_now, capture=capture)
    except PortUnavailable as error:
        raise SettingsError(f"{error}; choose another --port") from None
    print(
        f"serving {endpoint['ModelName']} on http://127.0.0.1:{server.server_address[1]} "
        "(GET /ping, POST /invocations with text/csv), and whatever a later run deploys; "
        f"{capture.describe()}; Ctrl-C stops"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return exit_codes.DONE


def _invoke(arguments: argparse.Namespace) -> int:
    from .models.commands import stage_settings
    from .models.invoke import predict_locally, predict_on_aws

    settings = stage_settings(arguments)
    source = arguments.csv or "stdin"
    data = sys.stdin.buffer.read() if arguments.csv is None else arguments.csv.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a spreadsheet's BOM is not part of the header
    except UnicodeDecodeError as error:
        raise SettingsError(f"{source} is not UTF-8 text (byte {error.start})") from None
    predict = predict_locally if arguments.local else predict_on_aws
    print("\n".join(predict(settings, text)))
    return exit_codes.DONE


def _iam_policies(arguments: argparse.Namespace) -> int:
    from .aws.policies_from_stack import iam_policies_command

    print(iam_policies_command(load_settings(arguments.settings), arguments.role))
    return exit_codes.DONE


def _estimate(arguments: argparse.Namespace) -> int:
    from .aws.estimate import current_prices, report, table_prices

    settings = load_settings(arguments.settings)
    offline = arguments.offline
    prices = table_prices(settings, "--offline") if offline else current_prices(settings)
    if arguments.data_size:
        from .aws import scale_estimate

        print("\n".join(scale_estimate.report(settings, arguments.data_size, prices)))
        return exit_codes.DONE
    print("\n".join(report(settings, prices)))
    return exit_codes.DONE


def _sample_data(arguments: argparse.Namespace) -> int:
    from .sample_data import generate

    if arguments.output.exists():
        raise SettingsError(
            f"{arguments.output} exists; choose another --output (never overwritten)"
        )
    settings = load_settings(arguments.settings)
    path = generate(arguments.output, settings.data, rows=arguments.rows)
    print(f"wrote {arguments.rows} sample rows ([data] of {settings.path.name}) to {path}")
    return exit_codes.DONE
