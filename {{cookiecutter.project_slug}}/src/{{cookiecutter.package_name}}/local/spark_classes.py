"""Spark's classes kept in a class-data sharing (CDS) archive, so that local Spark starts
in about a third of the time.

Most of a local SparkSession's start-up is the JVM reading, verifying and linking some
ten thousand classes (about 6 s on 2 cores). Java 13+ can record the classes a JVM
loaded into an archive when it exits (-XX:ArchiveClassesAtExit) and map them from it in
later JVMs (-XX:SharedArchiveFile): about 2 s (benchmarks/local_run.py). The JVM checks
that an archive matches its own build and class path and ignores one that does not (a
slower start, never a wrong answer), but aborts on one cut short: an archive is published
only once a JVM has mapped it. A new Java or pyspark gets an archive of its own.

The first Spark of an environment records its classes: when that process ends it waits
for its JVM to write the archive (seconds, once; Ctrl-C skips it) and publishes it under
its final name, so that no JVM maps a half-written file. The archive holds the classes
that first Spark used (a `data check` records fewer than a run; those it lacks load as
before). It lives in the environment (about 160 MB; its class path is the environment's
pyspark) and goes with it. RETRAIN_SPARK_CLASS_ARCHIVE=off turns it off.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

SWITCH = "RETRAIN_SPARK_CLASS_ARCHIVE"
# The JVM's own notes about the archive (classes it skips, a mismatch it ignores) go
# to the JVM's stderr, which local mode writes to .local/logs/spark.log: unified
# logging would print them on stdout, among the run's progress.
QUIET = ("-Xlog:disable", "-Xlog:all=warning:stderr")
# Writing the archive takes seconds; a JVM still writing after this is left to finish
# on its own, and the next Spark records the classes again.
WRITE_TIMEOUT_SECONDS = 120
# A recording this old was abandoned (its process killed before the JVM finished).
ABANDONED_AFTER_SECONDS = 3600
# Beside an archive's name when this Java cannot record one (see _can_record).
CANNOT_RECORD = ".cannot-record"


def archive_folder() -> Path:
    return Path(sys.prefix) / "var" / "spark-class-archive"


def archive_path(java: str, folder: Path | None = None) -> Path:
    """The archive of this Java and this environment's pyspark: another of either needs
    an archive of its own."""
    import pyspark

    java_file = Path(java).resolve()
    facts = [str(java_file), str(java_file.stat().st_mtime_ns), pyspark.__version__,
             str(Path(pyspark.__file__).resolve().parent)]  # fmt: skip
    key = hashlib.sha256("\n".join(facts).encode()).hexdigest()[:16]
    return (folder or archive_folder()) / f"spark-{key}.jsa"


def java_executable() -> str | None:
    """The java pyspark starts: JAVA_HOME's, else the first on PATH."""
    if os.environ.get("JAVA_HOME"):
        return str(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
    return shutil.which("java")


class ClassArchive:
    """The JVM options that map the archive, or record it when there is none yet."""

    def __init__(self, archive: Path | None, java: str | None = None):
        self.archive = archive
        self.java = java
        self.recording: Path | None = None

    @classmethod
    def for_this_environment(cls) -> ClassArchive:
        java = java_executable()
        if os.environ.get(SWITCH, "").lower() in {"off", "0", "false"} or not java:
            return cls(None)
        try:
            return cls(archive_path(java), java)
        except OSError:
            return cls(None)

    def java_options(self) -> list[str]:
        # Spark parses these options itself; rather than trust its quoting with a path
        # that has a space in it, such an environment goes without the archive.
        if self.archive is None or " " in str(self.archive):
            return []
        if self.archive.is_file():
            return [f"-XX:SharedArchiveFile={self.archive}", *QUIET]
        folder = self.archive.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _remove_abandoned_recordings(folder)
        except OSError:
            return []
        if not os.access(folder, os.W_OK) or not self._can_record():
            return []  # an environment this user cannot write to, or a Java that cannot
        # The PID for a person, and a token: processes in containers may share a PID.
        token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.recording = self.archive.with_name(f"{self.archive.stem}.{token}.partial")
        return [f"-XX:ArchiveClassesAtExit={self.recording}", *QUIET]

    def _can_record(self) -> bool:
        """Whether this Java can record an archive: Java 17 refuses to start at all when
        it cannot (no base CDS archive in the JDK, -Xshare:off in JAVA_TOOL_OPTIONS), so
        a JVM tries it once with `-version`; a Java that cannot is remembered."""
        if self.java is None:
            return True
        refused = self.archive.with_name(self.archive.stem + CANNOT_RECORD)
        if refused.exists():
            return False
        trial = self.archive.with_name(f"{self.archive.stem}.{uuid.uuid4().hex[:8]}.trial")
        result = self._java_version(f"-XX:ArchiveClassesAtExit={trial}", leaves=trial)
        if result is None:
            return False
        if result.returncode != 0:
            with contextlib.suppress(OSError):
                refused.write_bytes(result.stderr[-2000:])  # the JVM's reason, for a person
            return False
        return True

    def _java_version(self, *options: str, leaves: Path) -> subprocess.CompletedProcess | None:
        """`java -version` with these options, and the file they make it write removed;
        None when the JVM could not be started or did not end within a minute."""
        command = [self.java, *options, *QUIET, "-version"]
        try:
            return subprocess.run(command, capture_output=True, timeout=60, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        finally:
            leaves.unlink(missing_ok=True)

    def publish_when_spark_ends(self, session) -> None:
        """If this JVM records the archive: publish it when this process ends, or at
        publish_recorded_classes() if that comes first."""
        if self.recording is not None:
            if not _RECORDING:
                atexit.register(publish_recorded_classes)
            _RECORDING.append((self, session))

    def _publish(self, session) -> None:
        process = getattr(session.sparkContext._gateway, "proc", None)
        session.stop()
        if process is None or process.stdin is None:
            return
        print("saving Spark's classes for quicker starts (once for this environment; "
              "Ctrl-C skips it)", flush=True)  # fmt: skip
        process.stdin.close()  # pyspark's gateway JVM exits at the end of its input
        try:
            code = process.wait(timeout=WRITE_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            return
        except KeyboardInterrupt:
            process.kill()
            process.wait()
            self.recording.unlink(missing_ok=True)
            return
        if code == 0 and self.recording.is_file() and self._maps(self.recording):
            os.replace(self.recording, self.archive)
            _remove_other_archives(self.archive)
        else:
            self.recording.unlink(missing_ok=True)

    def _maps(self, recording: Path) -> bool:
        """Whether a JVM can be given the recorded archive. Java 17 ignores an archive of
        another class path (this check's: none), but aborts on one cut short, as a
        disk that filled up would leave it: only an archive a JVM survived is kept."""
        if self.java is None:
            return True
        crash_report = recording.with_suffix(".crash.log")
        mapping = (f"-XX:SharedArchiveFile={recording}", f"-XX:ErrorFile={crash_report}")
        result = self._java_version(*mapping, leaves=crash_report)
        return result is not None and result.returncode == 0


# The archives this process's Spark records, with their sessions.
_RECORDING: list[tuple[ClassArchive, object]] = []


def publish_recorded_classes() -> None:
    """Stop the Spark that records an archive, wait for its JVM to write it and give it
    its final name. Runs at exit; a process that ends without running its exit handlers
    (pytest-xdist's workers are killed once they report) calls it before. The session
    is stopped: a process starts no Spark after this."""
    while _RECORDING:
        classes, session = _RECORDING.pop()
        classes._publish(session)


def _remove_other_archives(archive: Path) -> None:
    """The archives of an earlier Java or pyspark: no JVM of this environment maps them."""
    for other in archive.parent.glob("spark-*"):
        if other.name != archive.name and other.suffix in {".jsa", CANNOT_RECORD}:
            with contextlib.suppress(OSError):
                other.unlink()


def _remove_abandoned_recordings(folder: Path) -> None:
    now = time.time()
    for recording in [*folder.glob("*.partial"), *folder.glob("*.trial")]:
        with contextlib.suppress(OSError):  # another process may have removed it
            if now - recording.stat().st_mtime > ABANDONED_AFTER_SECONDS:
                recording.unlink()
