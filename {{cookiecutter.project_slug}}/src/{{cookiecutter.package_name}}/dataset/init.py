"""`data init`: read a sample of a CSV, write the [data] table it implies into
settings.toml, and render the definition again (the Glue job gets the schema from it).

The previous settings.toml is kept beside it as settings.toml.bak, and every choice the
data could not settle is printed for a person to confirm.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

from ..settings import Settings, SettingsError, load_settings
from ..settings.data_schema import CATEGORICAL, DataSchema
from ..settings.toml_file import replace_table
from .infer import Inferred, infer, read_sample

SAMPLE_BYTES = 4 * 1024 * 1024  # read from S3: the header and many thousand rows
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def read_source(settings: Settings, source: str) -> str:
    """The beginning of a local CSV or of an s3:// object, whole lines only."""
    if source.startswith("s3://"):
        from ..aws.raw_data import read_object_start
        from ..aws.session import AwsSession

        text, complete = read_object_start(AwsSession(settings), source, SAMPLE_BYTES)
    else:
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(2, "no such file", str(path))
        opener = gzip.open if path.name.endswith(".gz") else open  # as Spark reads .gz
        with opener(path, "rb") as stream:
            data = stream.read(SAMPLE_BYTES)
            complete = not stream.read(1)
        text = utf8_text(data if complete else data[: data.rfind(b"\n") + 1], source)
    return text if complete else text[: text.rfind("\n") + 1]


def utf8_text(data: bytes, source: str) -> str:
    """The bytes as UTF-8 text (a byte-order mark dropped), or a one-line refusal naming
    the line: decoding with replacements would turn a latin-1 'côte' into another
    category, silently, as Spark does when a run reads the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise SettingsError(
            f"{source} line {line} is not UTF-8 (byte 0x{data[error.start]:02x} at column "
            f"{column}): save the file as UTF-8 (for example iconv -f latin1 -t utf-8 "
            "old.csv > new.csv), then run data init again"
        ) from None


def schema_table(inferred: Inferred, source: str) -> str:
    """The [data] table as TOML text, with a comment on where it came from."""
    schema = inferred.schema
    lines = [
        "[data]",
        f"# Written by `data init` from {source} ({inferred.rows_sampled} rows sampled).",
        "# Rows whose label is in neither list, or whose value does not fit its feature's",
        "# kind, are dropped and counted (`data check FILE` shows how a file fits).",
        f"label = {_string(schema.label)}",
        f"positive = {_strings(schema.positive)}",
        f"negative = {_strings(schema.negative)}",
        f'id_column = {_string(schema.id_column)}  # "": split on a hash of the whole row',
        f"ignore = {_strings(schema.ignore)}  # columns in the file that are not features",
        "",
        "[data.features]",
        '# "numeric", "boolean" (yes/no, true/false, 1/0), or the list of its categories.',
    ]
    for feature in schema.features:
        kind = (
            _strings(feature.categories) if feature.kind == CATEGORICAL else _string(feature.kind)
        )
        lines.append(f"{_key(feature.name)} = {kind}")
    return "\n".join(lines) + "\n"


def init(settings: Settings, source: str, label: str | None) -> tuple[DataSchema, list[str]]:
    """Write the [data] table for ``source`` into settings.toml; return the schema and
    the lines that tell the user what happened and what to decide."""
    inferred = infer(read_sample(read_source(settings, source), source), source, label)
    path = settings.path
    backup = _free_backup_name(path)
    shutil.copyfile(path, backup)
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_table(text, "data", schema_table(inferred, source)), encoding="utf-8")
    try:
        updated = load_settings(path)  # the new table must pass every rule
    except SettingsError:
        shutil.copyfile(backup, path)
        raise
    said = [f"wrote [data] to {path.name} from {inferred.rows_sampled} rows of {source} "
            f"(the previous file: {backup.name})"]  # fmt: skip
    said += [f"  {decision}" for decision in inferred.decisions]
    return updated.data, said


def _free_backup_name(path: Path) -> Path:
    """settings.toml.bak, or .bak2, .bak3, ...: an earlier backup is never overwritten."""
    candidate, number = path.with_name(path.name + ".bak"), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.bak{number}")
    return candidate


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _strings(values) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _key(name: str) -> str:
    return name if _BARE_KEY.match(name) else _string(name)
