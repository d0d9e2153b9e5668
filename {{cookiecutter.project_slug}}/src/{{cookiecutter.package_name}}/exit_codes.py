"""The command line's exit codes: one meaning each, listed in ``--help``."""

DONE = 0
FAILED = 1  # the run or the check failed; one line says how
USER_MUST_FIX = 2  # a setting, an argument or a file of the user's; one line says what and how
INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it

HELP = (
    f"exit codes: {DONE} done, {FAILED} the run or check failed, {USER_MUST_FIX} fix what "
    f"the message says, {INTERRUPTED} interrupted"
)
