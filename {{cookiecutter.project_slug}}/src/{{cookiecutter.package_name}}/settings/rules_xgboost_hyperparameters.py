"""SageMaker XGBoost's hyperparameters, as its container checks them when a training
job starts, and those that contradict the project's binary label.

Standard library only, like every ``rules_*`` module (see rules.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .rules_aws_regions import XGBOOST_VERSION
from .rules_suggestions import did_you_mean

# SageMaker XGBoost 1.7-1's hyperparameters: name -> (kind, allowed). Copied from the
# container's algorithm_mode/hyperparameter_validation.py at tag v1.7-1
# (aws/sagemaker-xgboost-container), which refuses a training job whose hyperparameters
# it cannot parse or that fall outside these ranges, and any name it does not know.
# Kinds: "int" and "float" with an Interval (low, low_open, high, high_open), None for
# unbounded; "choice" and "choices" (a comma-separated list) with their values; "text"
# for a value the container parses as a Python literal (constraints).
# fmt: off
_HIGH = None
XGBOOST_HYPERPARAMETERS: dict[str, tuple[str, object]] = {
    "num_round": ("int", (1, False, _HIGH, False)),
    "csv_weights": ("int", (0, False, 1, False)),
    "early_stopping_rounds": ("int", (1, False, _HIGH, False)),
    "booster": ("choice", ("gbtree", "gblinear", "dart")),
    "verbosity": ("int", (0, False, 3, False)),
    "nthread": ("int", (1, False, _HIGH, False)),
    "eta": ("float", (0, False, 1, False)),
    "gamma": ("float", (0, False, _HIGH, False)),
    "max_depth": ("int", (0, False, _HIGH, False)),
    "min_child_weight": ("float", (0, False, _HIGH, False)),
    "max_delta_step": ("float", (0, False, _HIGH, False)),
    "subsample": ("float", (0, True, 1, False)),
    "colsample_bytree": ("float", (0, True, 1, False)),
    "colsample_bylevel": ("float", (0, True, 1, False)),
    "colsample_bynode": ("float", (0, True, 1, False)),
    "lambda": ("float", (0, False, _HIGH, False)),
    "alpha": ("float", (0, False, _HIGH, False)),
    "tree_method": ("choice", ("auto", "exact", "approx", "hist", "gpu_hist")),
    "sketch_eps": ("float", (0, True, 1, True)),
    "scale_pos_weight": ("float", (0, True, _HIGH, False)),
    "updater": ("choices", ("grow_colmaker", "distcol", "grow_histmaker", "grow_skmaker",
                            "sync", "refresh", "prune", "shotgun", "coord_descent")),
    "dsplit": ("choice", ("row", "col")),
    "refresh_leaf": ("int", (0, False, 1, False)),
    "process_type": ("choice", ("default", "update")),
    "grow_policy": ("choice", ("depthwise", "lossguide")),
    "max_leaves": ("int", (0, False, _HIGH, False)),
    "max_bin": ("int", (0, False, _HIGH, False)),
    "predictor": ("choice", ("auto", "cpu_predictor", "gpu_predictor")),
    "monotone_constraints": ("text", None),
    "interaction_constraints": ("text", None),
    "sample_type": ("choice", ("uniform", "weighted")),
    "normalize_type": ("choice", ("tree", "forest")),
    "rate_drop": ("float", (0, False, 1, False)),
    "one_drop": ("int", (0, False, 1, False)),
    "skip_drop": ("float", (0, False, 1, False)),
    "lambda_bias": ("float", (0, False, 1, False)),
    "tweedie_variance_power": ("float", (1, True, 2, True)),
    "objective": ("choice", (
        "binary:logistic", "binary:logitraw", "binary:hinge", "count:poisson",
        "multi:softmax", "multi:softprob", "rank:pairwise", "rank:ndcg", "rank:map",
        "reg:linear", "reg:squarederror", "reg:logistic", "reg:gamma", "reg:pseudohubererror",
        "reg:squaredlogerror", "reg:tweedie", "survival:aft", "survival:cox",
        "aft_loss_distribution",
    )),
    "num_class": ("int", (2, False, _HIGH, False)),
    "base_score": ("float", (0, False, _HIGH, False)),
    "_kfold": ("int", (2, False, _HIGH, False)),
    "_num_cv_round": ("int", (1, False, _HIGH, False)),
    "_tuning_objective_metric": ("text", None),
    "eval_metric": ("metrics", None),
    "seed": ("int", (-(2**31), True, 2**31 - 1, True)),
    "num_parallel_tree": ("int", (1, False, _HIGH, False)),
    "save_model_on_termination": ("choice", ("true", "false")),
    "aft_loss_distribution": ("choice", ("normal", "logistic", "extreme")),
    "aft_loss_distribution_scale": ("float", (0, False, _HIGH, False)),
    "deterministic_histogram": ("choice", ("true", "false")),
    "sampling_method": ("choice", ("uniform", "gradient_based")),
    "prob_buffer_row": ("int", (1.0, True, _HIGH, False)),
    "use_dask_gpu_training": ("choice", ("true", "false")),
}
# The container's declare_alias calls: the alias is validated as the name it stands for.
XGBOOST_HYPERPARAMETER_ALIASES = {
    "learning_rate": "eta", "min_split_loss": "gamma", "reg_lambda": "lambda", "reg_alpha": "alpha",
}
# eval_metric names the container accepts (constants/xgb_constants.py, XGB_MAXIMIZE_METRICS
# and XGB_MINIMIZE_METRICS), and those that may carry a threshold ("error@0.3").
XGBOOST_EVAL_METRICS = (
    "accuracy", "auc", "aucpr", "balanced_accuracy", "f1", "f1_binary", "f1_macro", "map",
    "ndcg", "precision", "r2", "recall", "precision_macro", "precision_micro", "recall_macro",
    "recall_micro",
    "aft-nloglik", "cox-nloglik", "error", "gamma-deviance", "gamma-nloglik",
    "interval-regression-accuracy", "logloss", "mae", "mape", "merror", "mlogloss", "mphe",
    "mse", "poisson-nloglik", "rmse", "rmsle", "tweedie-nloglik",
)
_METRICS_WITH_THRESHOLD = ("error", "ndcg", "map")
# fmt: on


def _interval_text(interval: tuple) -> str:
    low, low_open, high, high_open = interval
    left = "(-inf" if low is None else f"{'(' if low_open else '['}{low}"
    right = "+inf)" if high is None else f"{high}{')' if high_open else ']'}"
    return f"{left}, {right}"


def _in_interval(value: float, interval: tuple) -> bool:
    low, low_open, high, high_open = interval
    return not (
        (low is not None and (value <= low if low_open else value < low))
        or (high is not None and (value >= high if high_open else value > high))
    )


def _hyperparameter_value(kind: str, allowed, text: str) -> str | None:
    """The rest of a message if ``text`` is not a value of this kind, else None."""
    if kind in ("int", "float"):
        try:
            # The container parses with int() or float(): '5.0' is not an integer.
            value = int(text) if kind == "int" else float(text)
        except ValueError:
            example = "100" if kind == "int" else "0.2"
            what = "a whole number" if kind == "int" else "a number"
            return f"is '{text}', not {what}; write it like {example}"
        if not math.isfinite(value) or not _in_interval(value, allowed):
            return f"is {text}, outside {_interval_text(allowed)}; choose a value in it"
        return None
    if kind == "choice":
        if text in allowed:
            return None
        hint = did_you_mean(text, allowed) or "; choose one of " + ", ".join(allowed)
        return f"is '{text}'{hint}"
    if kind == "choices":
        for item in text.split(","):
            if item not in allowed:
                hint = did_you_mean(item, allowed) or "; choose among " + ", ".join(allowed)
                return f"lists '{item}'{hint}"
        return None
    if kind == "metrics":
        for metric in text.split(","):
            problem = _eval_metric(metric)
            if problem:
                return problem
    return None


def _eval_metric(metric: str) -> str | None:
    name, at, threshold = metric.partition("@")
    if at:
        if name.strip() not in _METRICS_WITH_THRESHOLD:
            return f"'{metric}' has a threshold, which only error, ndcg and map take"
        try:
            float(threshold)
        except ValueError:
            return f"'{metric}' needs a number after '@', like '{name.strip()}@0.5'"
        return None
    if metric in XGBOOST_EVAL_METRICS:
        return None
    hint = did_you_mean(metric, XGBOOST_EVAL_METRICS)
    if metric.startswith(("validation:", "train:")):
        hint = f"; name the metric without its channel, like '{metric.split(':', 1)[1]}'"
    return f"'{metric}' is not a metric SageMaker XGBoost 1.7-1 reports{hint}"


# The project trains a binary classifier ([data]'s label has two classes; `data init`
# refuses more) and reads its predictions as the probability of the positive class (the
# gate's metrics, the champion/challenger comparison, `invoke`).
BINARY_OBJECTIVES = ("binary:logistic", "reg:logistic")


def _binary_classifier_problems(texts: Mapping[str, str]) -> list[str]:
    """Hyperparameters the container accepts but that contradict a binary label: the
    training job would fail (num_class with a binary objective: an XGBoostError) or
    the model would predict something the gate does not score."""
    problems = []
    objective = texts.get("objective", "")
    if objective and objective not in BINARY_OBJECTIVES:
        problems.append(
            f"training.hyperparameters.objective {objective} does not predict the "
            "probability of the [data] label's positive class, which this project trains "
            "and scores; use binary:logistic"
        )
    if "num_class" in texts and not objective.startswith("multi:"):
        problems.append(
            "training.hyperparameters.num_class is for multi:softmax and multi:softprob, and "
            "the [data] label has two classes; remove it"
        )
    return problems


def hyperparameter_problems(hyperparameters: Mapping[str, object]) -> list[str]:
    """Each problem of ``[training.hyperparameters]`` as SageMaker XGBoost 1.7-1 would find
    it when the training job starts, as one line naming the key."""
    problems = []
    texts = {}
    for key, value in hyperparameters.items():
        name = XGBOOST_HYPERPARAMETER_ALIASES.get(key, key)
        where = f"training.hyperparameters.{key}"
        if name not in XGBOOST_HYPERPARAMETERS:
            hint = did_you_mean(key, [*XGBOOST_HYPERPARAMETERS, *XGBOOST_HYPERPARAMETER_ALIASES])
            problems.append(
                f"{where} is not a hyperparameter of SageMaker XGBoost {XGBOOST_VERSION}"
                f"{hint or '; remove it'}"
            )
            continue
        texts[name] = str(value)
        problem = _hyperparameter_value(*XGBOOST_HYPERPARAMETERS[name], texts[name])
        if problem:
            problems.append(f"{where} {problem}")
    if "num_round" not in texts:
        problems.append("training.hyperparameters.num_round is missing; XGBoost needs it")
    objective = texts.get("objective", "")
    if objective in ("multi:softmax", "multi:softprob") and "num_class" not in texts:
        problems.append(
            f"training.hyperparameters.num_class is missing; objective {objective} needs it"
        )
    problems += _binary_classifier_problems(texts)
    metrics = texts.get("eval_metric", "").split(",")
    if "auc" in metrics and objective and not objective.startswith(("binary:", "rank:")):
        problems.append(
            "training.hyperparameters.eval_metric 'auc' applies to binary: and rank: "
            f"objectives only, not {objective}"
        )
    if "aft-nloglik" in metrics and objective and objective != "survival:aft":
        problems.append(
            "training.hyperparameters.eval_metric 'aft-nloglik' needs objective survival:aft"
        )
    return problems
