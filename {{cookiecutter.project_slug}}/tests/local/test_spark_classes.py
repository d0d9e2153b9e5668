"""Local Spark's class-data sharing archive: mapped when it exists, recorded once when it
does not, published only whole, and never a reason for Spark not to start.

The JVM facts (an archive recorded at exit maps in a later JVM; one that does not match
is ignored) are checked with this machine's real java; Spark's gateway process is a
stand-in here, as starting Spark to test a file rename would cost seconds."""

from __future__ import annotations

import os
import re
import subprocess
import time
from types import SimpleNamespace

import pytest
from project.local import spark_classes
from project.local.spark_classes import QUIET, SWITCH, ClassArchive, archive_path, java_executable


@pytest.fixture
def java():
    found = java_executable()
    assert found, "local mode needs Java (make test checks it)"
    return found


def test_the_archive_is_this_javas_and_this_environments(tmp_path, java):
    archive = archive_path(java, tmp_path)
    assert archive.parent == tmp_path and archive.suffix == ".jsa"
    assert archive_path(java, tmp_path) == archive  # the same Java: the same archive
    other_java = tmp_path / "bin" / "java"
    other_java.parent.mkdir()
    other_java.write_text("")
    assert archive_path(str(other_java), tmp_path) != archive


def test_an_existing_archive_is_mapped_and_nothing_is_recorded(tmp_path):
    archive = tmp_path / "spark-0123.jsa"
    archive.write_bytes(b"an archive")
    classes = ClassArchive(archive)
    assert classes.java_options() == [f"-XX:SharedArchiveFile={archive}", *QUIET]
    assert classes.recording is None


def test_without_an_archive_this_jvm_records_one_under_a_name_of_its_own(tmp_path, java):
    archive = tmp_path / "var" / "spark-0123.jsa"
    classes = ClassArchive(archive, java)
    options = classes.java_options()
    assert options == [f"-XX:ArchiveClassesAtExit={classes.recording}", *QUIET]
    name = rf"spark-0123\.{os.getpid()}-[0-9a-f]+\.partial"
    assert re.fullmatch(name, classes.recording.name)
    other = ClassArchive(archive)  # (no second trial of this Java)
    other.java_options()
    assert other.recording != classes.recording  # two processes never share a recording
    assert sorted(path.name for path in archive.parent.iterdir()) == []  # the trial is gone


def test_a_java_that_cannot_record_gets_no_options_and_is_not_asked_again(
    tmp_path, java, monkeypatch
):
    """Java 17 without its base archive refuses to start with ArchiveClassesAtExit: a
    Spark given it would not start. Real java, with the base archive turned off."""
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", "-Xshare:off")
    archive = tmp_path / "spark-0123.jsa"
    assert ClassArchive(archive, java).java_options() == []
    assert (tmp_path / "spark-0123.cannot-record").is_file()

    def no_second_trial(*args, **kwargs):
        raise AssertionError("the trial ran again")

    monkeypatch.setattr(spark_classes.subprocess, "run", no_second_trial)
    assert ClassArchive(archive, java).java_options() == []


def test_an_abandoned_recording_is_removed_and_a_fresh_one_is_left_to_its_jvm(tmp_path):
    abandoned, running = tmp_path / "spark-0123.1.partial", tmp_path / "spark-0123.2.partial"
    for recording in (abandoned, running):
        recording.write_bytes(b"half an archive")
    hours_ago = time.time() - spark_classes.ABANDONED_AFTER_SECONDS - 60
    os.utime(abandoned, (hours_ago, hours_ago))
    ClassArchive(tmp_path / "spark-0123.jsa").java_options()
    assert not abandoned.exists() and running.exists()


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false"])
def test_the_switch_turns_the_archive_off(monkeypatch, value):
    monkeypatch.setenv(SWITCH, value)
    assert ClassArchive.for_this_environment().java_options() == []


def test_a_path_spark_would_split_gives_no_options(tmp_path):
    classes = ClassArchive(tmp_path / "my envs" / "spark-0123.jsa")
    assert classes.java_options() == [] and classes.recording is None


def test_an_environment_this_user_cannot_write_to_gives_no_options(tmp_path, monkeypatch):
    (tmp_path / "var").write_text("a file where the folder would be")
    classes = ClassArchive(tmp_path / "var" / "spark-0123.jsa")
    assert classes.java_options() == [] and classes.recording is None
    # A folder that exists but is not writable (as root, the tests cannot make one).
    monkeypatch.setattr(spark_classes.os, "access", lambda path, mode: False)
    classes = ClassArchive(tmp_path / "folder" / "spark-0123.jsa")
    assert classes.java_options() == [] and classes.recording is None


class Gateway:
    """What _publish uses of pyspark's gateway JVM process: its stdin and its exit."""

    def __init__(self, recording, code: int | None, writes: bool = True):
        self.recording, self.code, self.writes = recording, code, writes
        self.stdin = SimpleNamespace(closed=False)
        self.stdin.close = lambda: setattr(self.stdin, "closed", True)

    def wait(self, timeout=None):
        if self.code == "killed":
            return -9
        assert self.stdin.closed, "the JVM exits only once its input ends"
        if self.code is None:
            raise subprocess.TimeoutExpired("java", timeout)
        if self.code == "ctrl-c":
            raise KeyboardInterrupt
        if self.writes:
            self.recording.write_bytes(b"the archive")
        return self.code

    def kill(self):
        self.code = "killed"


def session_of(process):
    stopped = []
    context = SimpleNamespace(_gateway=SimpleNamespace(proc=process))
    return SimpleNamespace(sparkContext=context, stop=lambda: stopped.append(True)), stopped


def recording_classes(tmp_path):
    classes = ClassArchive(tmp_path / "spark-0123.jsa")
    classes.java_options()
    return classes


def test_a_recorded_archive_is_published_once_its_jvm_exits_cleanly(tmp_path, capsys):
    # An earlier Java's or pyspark's archive and refusal: no JVM here maps them any more.
    (tmp_path / "spark-4567.jsa").write_bytes(b"an older archive")
    (tmp_path / "spark-4567.cannot-record").write_bytes(b"an older refusal")
    classes = recording_classes(tmp_path)
    session, stopped = session_of(Gateway(classes.recording, code=0))
    classes._publish(session)
    assert stopped and classes.archive.read_bytes() == b"the archive"
    assert [path.name for path in tmp_path.iterdir()] == ["spark-0123.jsa"]
    assert "saving Spark's classes" in capsys.readouterr().out


def test_ctrl_c_while_the_archive_is_written_skips_it_and_leaves_nothing(tmp_path):
    classes = recording_classes(tmp_path)
    gateway = Gateway(classes.recording, code="ctrl-c")
    classes._publish(session_of(gateway)[0])
    assert gateway.code == "killed" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("code", [1, 137])
def test_a_jvm_that_failed_publishes_nothing_and_leaves_nothing(tmp_path, code):
    classes = recording_classes(tmp_path)
    classes._publish(session_of(Gateway(classes.recording, code=code))[0])
    assert list(tmp_path.iterdir()) == []


def test_a_jvm_still_writing_is_left_to_finish_and_nothing_is_published(tmp_path):
    classes = recording_classes(tmp_path)
    classes._publish(session_of(Gateway(classes.recording, code=None))[0])
    assert not classes.archive.exists()


def test_only_a_recording_jvm_is_waited_for_and_once(tmp_path, monkeypatch):
    registered, published = [], []
    monkeypatch.setattr(spark_classes.atexit, "register", registered.append)
    monkeypatch.setattr(spark_classes, "_RECORDING", [])
    monkeypatch.setattr(ClassArchive, "_publish", lambda self, session: published.append(session))
    mapped = tmp_path / "spark-0123.jsa"
    mapped.write_bytes(b"an archive")
    existing = ClassArchive(mapped)
    existing.java_options()
    existing.publish_when_spark_ends("mapping session")
    recording = recording_classes(tmp_path / "other")
    recording.publish_when_spark_ends("recording session")
    assert registered == [spark_classes.publish_recorded_classes]
    spark_classes.publish_recorded_classes()
    spark_classes.publish_recorded_classes()  # and again at exit: nothing left to do
    assert published == ["recording session"]


def run_java(java, *options, cwd=None):
    return subprocess.run([java, *options, "-version"], capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def real_recording(tmp_path_factory) -> bytes:
    """An archive this machine's java recorded (of `java -version`'s classes)."""
    java = java_executable()
    classes = ClassArchive(tmp_path_factory.mktemp("recorded") / "spark-0123.jsa", java)
    recorded = run_java(java, *classes.java_options())
    assert recorded.returncode == 0 and classes.recording.is_file(), recorded.stderr
    return classes.recording.read_bytes()


def test_the_real_jvm_maps_what_it_recorded(tmp_path, java, real_recording):
    archive = tmp_path / "spark-0123.jsa"
    archive.write_bytes(real_recording)
    # -Xshare:on: the JVM fails rather than start without the archive.
    mapped = run_java(java, *ClassArchive(archive).java_options(), "-Xshare:on")
    assert mapped.returncode == 0, mapped.stderr
    assert "warning" not in mapped.stdout  # the JVM's notes stay off the run's progress


@pytest.mark.parametrize("kept", [1, 0.5], ids=["whole", "cut-short"])
def test_only_a_recording_a_real_jvm_survives_is_published(tmp_path, java, real_recording, kept):
    """Java 17 aborts (SIGABRT), rather than ignore, an archive cut short (a write that
    stopped halfway): the recording is given to a real JVM before it takes its name."""
    classes = ClassArchive(tmp_path / "spark-0123.jsa", java)
    classes.recording = tmp_path / "spark-0123.1-0.partial"
    classes.recording.write_bytes(real_recording[: int(len(real_recording) * kept)])
    classes._publish(session_of(Gateway(classes.recording, code=0, writes=False))[0])
    published = [path.name for path in tmp_path.iterdir()]
    assert published == (["spark-0123.jsa"] if kept == 1 else [])
