"""copier's post-copy task: the checks and fill-in of cookiecutter's hooks.

copier.yml runs it after rendering, in the new project, with the template's folder
and the answers file copier just wrote. copier's prompt-time validators catch the common
mistakes; this applies every rule, the very ones cookiecutter's hooks apply, and
a failure here makes copier remove the project it just created.
"""

import sys
from pathlib import Path

import yaml  # copier depends on PyYAML, so its Python has it

template_dir, answers_file = Path(sys.argv[1]), Path(sys.argv[2])
answers = {
    key: value
    for key, value in yaml.safe_load(answers_file.read_text(encoding="utf-8")).items()
    if not key.startswith("_")
}
sys.path.insert(0, str(template_dir / "hooks"))

import bake_logic  # noqa: E402  (importable only once the line above has run)

shared = bake_logic.load_shared_modules(template_dir)
problems = bake_logic.check_answers(answers, shared)
for problem in problems:
    print(f"ERROR: {problem}", file=sys.stderr)
if problems:
    sys.exit(1)
for line in bake_logic.fill_in_settings(Path.cwd(), answers, shared):
    print(line)
