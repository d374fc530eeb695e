"""Writing a case folder from another framework's model (``energy-model import pypsa``, ``import oemof``):
the files of a case and IMPORT_REPORT.md, the same for every importer."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from ..errors import InputError

VOLL = 1.0e6  # unserved demand of an imported case: far above any cost of the model it came from


def check_out(out: Path) -> None:
    """An importer writes a new case folder, never into one that holds anything."""
    if out.exists() and any(out.iterdir()):
        raise InputError([f"{out}: exists and is not empty; choose a new folder for the case"])


def time_section(start: pd.Timestamp, hours: int, step: int) -> dict:
    return {"start": start.strftime("%Y-%m-%d %H:%M"), "hours": hours, **({"resolution": step} if step > 1 else {})}


def write_case(out: Path, case: dict, techs: dict, series: dict, start: pd.Timestamp, steps: int, step: int,
               missing: list[str], notes: list[str], source: str, cost_note: str) -> None:
    """case.yaml, technologies.yaml, an empty scenarios.yaml, timeseries/profiles.csv and IMPORT_REPORT.md
    (what was not carried over, and notes); ``source`` names the model in the report's title."""
    (out / "timeseries").mkdir(parents=True, exist_ok=True)
    (out / "case.yaml").write_text(yaml.safe_dump(case, allow_unicode=True, sort_keys=False))
    (out / "technologies.yaml").write_text(yaml.safe_dump(techs, allow_unicode=True, sort_keys=False))
    (out / "scenarios.yaml").write_text("{}\n")
    times = pd.date_range(start, periods=steps, freq=f"{step}h", name="time")
    pd.DataFrame(series, index=times).to_csv(out / "timeseries" / "profiles.csv")
    lines = [f"# Imported from {source}", "", f"{len(techs)} technologies, {steps * step} hours.", ""]
    lines += ["## Not carried over", ""] + [f"- {m}" for m in missing or ["nothing"]] + [""]
    lines += ["## Notes", ""] + [f"- {m}" for m in notes or ["none"]] + [
        f"- {cost_note} × 8,760 / modelled hours (this tool charges a share of the year)",
        f"- unserved demand is allowed at {VOLL:,.0f} per MWh (policy.voll), far above any cost in the model"]
    (out / "IMPORT_REPORT.md").write_text("\n".join(lines) + "\n")
