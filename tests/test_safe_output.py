"""Run folders are complete or absent: killed, failed and repeated runs never leave half-written results."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_inputs_harness import VALID

from energy_model.results.dataset import COMPLETE_MARKER, RunFolder, read_run_file
from energy_model.runner import run

# Runs the valid case, but the writer stops after the CSVs (results.nc is already staged) and waits
# to be killed; it touches ``flag`` first so the test knows the write is under way.
SLOW_WRITER = """
import sys, time
from pathlib import Path
import energy_model.results.dataset as results
original = results.write_tidy_tables
def slow(ds, folder, hourly_csv=False):
    original(ds, folder, hourly_csv)
    Path(sys.argv[3]).write_text("writing")
    time.sleep(300)
results.write_tidy_tables = slow
from energy_model.runner import run
run(sys.argv[1], out_dir=sys.argv[2], report=False)
"""


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def kill_while_writing(out: Path, flag: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(VALID), str(out), str(flag)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            if process.poll() is not None:
                pytest.fail(f"the run ended before writing: {process.stderr.read().decode()}")
            if time.monotonic() > deadline:
                pytest.fail("the run did not reach the writing stage within 120 s")
            time.sleep(0.05)
        assert any(out.parent.glob(f".{out.name}.partial-{process.pid}-*/results.nc"))  # half-written
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
        process.stderr.close()


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


def test_a_run_killed_while_writing_leaves_the_old_complete_results(tmp_path):
    out = tmp_path / "out"
    run(VALID, out_dir=out, report=False)
    before = snapshot(out)
    kill_while_writing(out, tmp_path / "flag")
    assert snapshot(out) == before
    assert read_run_file(out)["complete"]
    assert leftovers(out)  # the dead run's staging folder, hidden
    run(VALID, out_dir=out, report=False)  # the next run of the folder clears it
    assert leftovers(out) == []
    assert (out / COMPLETE_MARKER).exists()


def test_a_first_run_killed_while_writing_leaves_no_folder(tmp_path):
    out = tmp_path / "out"
    kill_while_writing(out, tmp_path / "flag")
    assert not out.exists()


def test_a_run_failing_while_writing_keeps_the_old_results_and_cleans_up(tmp_path, monkeypatch):
    import energy_model.results.dataset as results

    out = tmp_path / "out"
    run(VALID, out_dir=out, report=False)
    before = snapshot(out)

    def full_disk(ds, folder, hourly_csv=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results, "write_tidy_tables", full_disk)
    with pytest.raises(OSError):
        run(VALID, out_dir=out, report=False)
    assert snapshot(out) == before and leftovers(out) == []


def test_a_swap_interrupted_between_its_two_renames_is_undone_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    run(VALID, out_dir=out, report=False)
    before = snapshot(out)
    os.replace(out, tmp_path / ".out.old")  # killed right after moving the old folder aside
    folder = RunFolder(out)
    assert snapshot(out) == before
    folder.discard()
    assert leftovers(out) == []


def test_a_complete_folder_says_so_and_a_staging_folder_is_not_one(tmp_path):
    out = tmp_path / "out"
    run(VALID, out_dir=out, report=False)
    metadata = read_run_file(out)
    assert metadata["complete"] and metadata["solver_status"] == "optimal"
    assert metadata["inputs_hash"] == (out / COMPLETE_MARKER).read_text().strip().split("=")[1]
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / COMPLETE_MARKER).unlink()
    assert not read_run_file(copy)["complete"]
