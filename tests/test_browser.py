"""The report as a reader sees it: opened in headless Chromium (Debian's ``chromium``, which ``make test``
installs when missing), with no console errors and no network request, every chart drawn and non-empty,
the week selector redrawing its figure, and the language switch changing the titles. The end-to-end
run writes report.html, results.xlsx and the PNG images (kaleido, drawing with the same Chromium), and
the screenshots go into the run folder."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from datasets import synthetic_dataset
from openpyxl import load_workbook

from energy_model.analysis.kpis import summary
from energy_model.report.html import IMAGE_SCALE, IMAGE_SIZE, write_report
from energy_model.report.labels import label

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")

CASE = Path(__file__).parent.parent / "inputs" / "shuangliao"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SYNTHETIC_CHARTS = ["capacity", "balance", "sankey", "dispatch_first", "dispatch_last", "price_duration",
                    "load_duration", "curtailment", "storage", "thermal", "products"]
# the case's first week curtails nothing: its curtailment section is a line of text
# the plan-only base curtails nothing in the first week of January, so its report has no curtailment chart
CASE_CHARTS = ["capacity", "balance", "sankey", "dispatch_first", "price_duration", "load_duration",
               "thermal_week", "storage", "thermal", "products", "levelised_cost"]
# per chart: its traces, and its SVG marks (bars, filled areas, lines, Sankey links) that have an area
CHART_STATE = """id => {
  const div = document.getElementById(id);
  if (!div || !div.data) { return null; }
  const marks = Array.from(div.querySelectorAll('.bars .point path, .scatterlayer path.js-fill, '
      + '.scatterlayer path.js-line, .scatterlayer .point, .sankey-link'))
    .filter(mark => { const box = mark.getBBox(); return box.width > 0 && box.height > 0; });
  return {traces: div.data.length, marks: marks.length};
}"""


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: 'make test' installs Debian's chromium as root; "
                    "elsewhere run apt-get install chromium")
    with sync_api.sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1200, "height": 900})
        yield context
        context.close()


class Page:
    """A report opened in the browser, recording console errors and any request that leaves the file."""

    def __init__(self, browser, path: Path):
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page()
        self.page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.route("**/*", self._route)
        self.page.goto(path.resolve().as_uri(), wait_until="load")
        self.page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length > 0")

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def chart(self, key: str) -> dict | None:
        return self.page.evaluate(CHART_STATE, f"fig-{key}")

    def texts(self, selector: str) -> list[str]:
        return self.page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent.trim())")


def assert_drawn(page: Page, charts: list[str]):
    assert page.errors == [] and page.requests == []
    for key in charts:
        state = page.chart(key)
        assert state is not None, f"chart {key} missing"
        assert state["traces"] > 0 and state["marks"] > 0, f"chart {key} empty: {state}"


@pytest.fixture(scope="module")
def pages(browser, tmp_path_factory) -> dict[str, Page]:
    """The synthetic run's report in each language, opened once."""
    ds = synthetic_dataset()
    folder = tmp_path_factory.mktemp("browser")
    return {lang: Page(browser, write_report(ds, summary(ds), folder / f"report_{lang}.html", lang=lang))
            for lang in ("zh", "en")}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_chart_is_drawn_without_errors(pages, lang):
    assert_drawn(pages[lang], SYNTHETIC_CHARTS)


def test_language_switch_changes_the_titles(pages):
    titles = {lang: {"h2": page.texts("h2"), "axes": page.texts("#fig-capacity .g-xtitle"),
                     "legend": page.texts("#fig-thermal .legendtext")} for lang, page in pages.items()}
    for lang in ("zh", "en"):
        assert titles[lang]["h2"][:4] == [label(f"section.{k}", lang) for k in ("metadata", "kpis", "capacity",
                                                                                 "balance")]
        assert titles[lang]["legend"][0] == label("legend.full_load_hours", lang)
    assert titles["zh"]["axes"] == ["装机容量 (万千瓦)"] and titles["en"]["axes"] == ["Capacity (MW)"]
    assert not set(titles["zh"]["h2"]) & set(titles["en"]["h2"])


def test_week_selector_redraws_its_figure(pages):
    page = pages["en"]
    first_x = "id => document.getElementById(id).data[0].x[0]"
    assert page.page.evaluate(first_x, "fig-dispatch_first").startswith("2030-01-01")
    options = page.texts("#dispatch_first select option")
    assert options == ["2030-01-01 – 2030-01-07", "2030-01-07 – 2030-01-13", "2030-01-14 – 2030-01-20",
                       "2030-01-15 – 2030-01-21"]
    page.page.select_option("#dispatch_first select", index=2)
    assert page.page.evaluate(first_x, "fig-dispatch_first").startswith("2030-01-14 00:00")
    assert page.texts("#dispatch_first .week-range") == ["2030-01-14 – 2030-01-20"]
    assert page.texts("#dispatch_first .week-title") == [label("section.dispatch_chosen", "en")]  # no longer "first"
    assert page.page.evaluate("id => document.getElementById(id).data[0].y.length", "fig-dispatch_first") == 168
    page.page.select_option("#dispatch_first select", index=0)
    assert page.texts("#dispatch_first .week-title") == [label("section.dispatch_first", "en")]
    page.page.select_option("#storage select", index=1)
    assert page.page.evaluate(first_x, "fig-storage").startswith("2030-01-07 00:00")
    assert_drawn(page, ["dispatch_first", "storage"])


def test_run_writes_report_excel_and_images(browser, tmp_path):
    """A week of the default case through the command line, as a user runs it: the files of a run folder,
    the report in the browser, and a screenshot saved beside them."""
    pytest.importorskip("kaleido", reason="kaleido is not installed (pip install -e '.[images]')")
    folder = tmp_path / "base_2030"
    done = subprocess.run([sys.executable, "-m", "energy_model.cli", "run", str(CASE), "-s", "base_2030",
                           "--hours", "168", "--images", "--out", str(folder)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert {"report.html", "results.xlsx", "images"} <= {p.name for p in folder.iterdir()}
    assert load_workbook(folder / "results.xlsx").sheetnames[0] == label("sheet.summary", "zh")  # the case's language
    images = sorted((folder / "images").glob("*.png"))
    assert [p.stem.split("_", 1)[1] for p in images] == CASE_CHARTS
    # the report explains the CHP units' winter week
    assert label("note.thermal_week", "zh") in (folder / "report.html").read_text(encoding="utf-8")
    for image in images:
        header = image.read_bytes()[:24]  # PNG signature, then the IHDR chunk: width and height
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", header[16:24]) == (IMAGE_SIZE[0] * IMAGE_SCALE, IMAGE_SIZE[1] * IMAGE_SCALE)
    page = Page(browser, folder / "report.html")
    assert_drawn(page, CASE_CHARTS)
    page.page.screenshot(path=folder / "report.png", full_page=True)
    page.page.close()
    assert (folder / "report.png").stat().st_size > 0


def test_a_pathway_report_draws_its_period_charts(browser, tmp_path):
    """Two periods of a micro case: the charts over the periods come first and are drawn without errors."""
    from micro import write_case

    from energy_model.runner import run

    case = write_case(tmp_path / "c", {
        "gen": {"kind": "thermal", "fuel": "coal", "heat_rate": 0.1, "build_max": 100, "capex": 50 * 8760},
        "load": {"kind": "demand", "annual": 10 * 8760}},
        pathway={"base_year": 2025, "end_year": 2034,
                 "periods": {2025: {}, 2030: {"overrides": {"technologies.load.annual": 20 * 8760}}}})
    run(case, out_dir=tmp_path / "out", lang="en")
    page = Page(browser, tmp_path / "out" / "report.html")
    charts = [f"pathway_{k}" for k in ("capacity", "generation", "cost")]
    assert_drawn(page, charts)
    assert page.texts("h2")[1:4] == [label(f"section.{key}", "en") for key in charts]
    page.page.close()
