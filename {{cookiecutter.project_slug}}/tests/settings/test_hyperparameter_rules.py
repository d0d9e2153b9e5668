"""[training.hyperparameters] is checked as SageMaker's XGBoost 1.7-1 container checks
it when a training job starts (names, types, ranges), by `settings check` and before
any run, with one line naming the key and the fix."""

from __future__ import annotations

import re

import pytest
from project.cli import main
from project.settings import SettingsError, load_settings, rules
from project.workflow.definition import training_hyperparameters

from ..conftest import replace_line

# Transcribed from aws/sagemaker-xgboost-container at tag v1.7-1 (the container is not
# pip-installable): the `name=` of every hyperparameter in
# src/sagemaker_xgboost_container/algorithm_mode/hyperparameter_validation.py, in order,
# its declare_alias calls, and XGB_MAXIMIZE_METRICS + XGB_MINIMIZE_METRICS of
# src/sagemaker_xgboost_container/constants/xgb_constants.py.
# fmt: off
CONTAINER_NAMES = [
    "num_round", "csv_weights", "early_stopping_rounds", "booster", "verbosity", "nthread",
    "eta", "gamma", "max_depth", "min_child_weight", "max_delta_step", "subsample",
    "colsample_bytree", "colsample_bylevel", "colsample_bynode", "lambda", "alpha",
    "tree_method", "sketch_eps", "scale_pos_weight", "updater", "dsplit", "refresh_leaf",
    "process_type", "grow_policy", "max_leaves", "max_bin", "predictor",
    "monotone_constraints", "interaction_constraints", "sample_type", "normalize_type",
    "rate_drop", "one_drop", "skip_drop", "lambda_bias", "tweedie_variance_power",
    "objective", "num_class", "base_score", "_kfold", "_num_cv_round",
    "_tuning_objective_metric", "eval_metric", "seed", "num_parallel_tree",
    "save_model_on_termination", "aft_loss_distribution", "aft_loss_distribution_scale",
    "deterministic_histogram", "sampling_method", "prob_buffer_row", "use_dask_gpu_training",
]
CONTAINER_ALIASES = {
    "learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha",
}
CONTAINER_METRICS = [
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map",
    "ndcg", "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro",
    "recall_micro", "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe",
    "mse", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
]
# fmt: on


def test_the_table_holds_exactly_the_containers_names_aliases_and_metrics():
    assert list(rules.XGBOOST_HYPERPARAMETERS) == CONTAINER_NAMES
    assert rules.XGBOOST_HYPERPARAMETER_ALIASES == CONTAINER_ALIASES
    assert sorted(rules.XGBOOST_EVAL_METRICS) == sorted(CONTAINER_METRICS)


def test_every_gate_metric_is_an_eval_metric_the_container_accepts():
    for metric in rules.METRIC_DIRECTIONS:
        assert rules.hyperparameter_problems({"num_round": 1, "eval_metric": metric[11:]}) == []


def test_the_baked_hyperparameters_and_what_training_is_sent_pass(settings_path):
    settings = load_settings(settings_path)
    assert rules.hyperparameter_problems(training_hyperparameters(settings)) == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'num_round = "lots"',
            "training.hyperparameters.num_round is 'lots', not a whole number; write it like 100",
        ),
        (
            "num_round = 10.5",
            "training.hyperparameters.num_round is '10.5', not a whole number; write it like 100",
        ),
        ("num_round = 0", "training.hyperparameters.num_round is 0, outside [1, +inf)"),
        (
            "etaa = 0.2",
            "training.hyperparameters.etaa is not a hyperparameter of SageMaker XGBoost "
            "1.7-1; did you mean 'eta'?",
        ),
        ("eta = 1.5", "training.hyperparameters.eta is 1.5, outside [0, 1]"),
        ("subsample = 0", "training.hyperparameters.subsample is 0, outside (0, 1]"),
        (
            'objective = "binary:logistc"',
            "training.hyperparameters.objective is 'binary:logistc'; "
            "did you mean 'binary:logistic'?",
        ),
        (
            'eval_metric = "validation:auc"',
            "training.hyperparameters.eval_metric 'validation:auc' is not a metric SageMaker "
            "XGBoost 1.7-1 reports; name the metric without its channel, like 'auc'",
        ),
        (
            'eval_metric = "logloss,aucc"',
            "training.hyperparameters.eval_metric 'aucc' is not a metric SageMaker XGBoost "
            "1.7-1 reports; did you mean 'auc'?",
        ),
        (
            'eval_metric = "rmse@0.5"',
            "training.hyperparameters.eval_metric 'rmse@0.5' has a threshold, which only "
            "error, ndcg and map take",
        ),
        (
            'objective = "multi:softmax"',
            "training.hyperparameters.num_class is missing; objective multi:softmax needs it",
        ),
        # Accepted by the container, but contradicting the binary label (#26).
        (
            "num_class = 3",
            "training.hyperparameters.num_class is for multi:softmax and multi:softprob, and "
            "the [data] label has two classes; remove it",
        ),
        (
            'objective = "reg:squarederror"',
            "training.hyperparameters.objective reg:squarederror does not predict the "
            "probability of the [data] label's positive class, which this project trains "
            "and scores; use binary:logistic",
        ),
    ],
)
def test_a_bad_hyperparameter_fails_settings_check_in_one_line(
    settings_path, capsys, line, message
):
    key = line.split(" =")[0]
    text = settings_path.read_text(encoding="utf-8")
    if f"\n{key} =" in text:
        replace_line(settings_path, f"{key} =", line)
    else:
        text = text.replace("[training.hyperparameters]\n", f"[training.hyperparameters]\n{line}\n")
        settings_path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match="^" + re.escape(f"settings.toml: {message}")):
        load_settings(settings_path)
    assert main(["--settings", str(settings_path), "settings", "check"]) == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: settings.toml: {message}") and error.count("\n") == 1


def test_num_round_is_required(settings_path):
    replace_line(settings_path, "num_round =", "")
    with pytest.raises(SettingsError, match=r"training\.hyperparameters\.num_round is missing"):
        load_settings(settings_path)


def test_aliases_and_thresholds_the_container_accepts_pass():
    accepted = {
        "num_round": "50",
        "learning_rate": 0.3,
        "reg_alpha": 1,
        "eval_metric": "error@0.3,auc,logloss",
        "objective": "binary:logistic",
        "updater": "grow_colmaker,prune",
        "seed": -5,
    }
    assert rules.hyperparameter_problems(accepted) == []
