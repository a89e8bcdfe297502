"""The benchmark's quick mode still runs and still produces every figure but the notebooks' and the suite's
times, which would run again what make test runs (never a time). A minute of building and tracing models:
`make test-slow` runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_benchmark_produces_every_figure(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--json", str(out)],
                            capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = json.loads(out.read_text())["rows"]
    groups = {row["group"] for row in rows}
    assert {"WGAN.fit", "scaling", "slider callbacks", "slow machine"} <= groups
    assert not {"notebooks", "suite"} & groups  # make test runs them itself: the quick run does not repeat them
    names = {row["name"] for row in rows}
    for expected in ["clip overhead, one thread", "clip overhead, default threads",
                     "clipedu speed-up over the eager loop", "same through Keras' array pipeline (autotuned tf.data)",
                     "Keras train_on_batch with per-layer WeightClip", "one generator iteration through fit",
                     "large matmul", "  as a share of headless fit",
                     "redraws per second while training", "  redraws per second on the slow machine, from it",
                     "3 × 64 critic: 5 runs through fit_seeds", "3 × 64 critic: 5 separate runs of the minimal loop",
                     "3 × 64 critic: fit_seeds / minimal loop", "3 × 64 critic: fit_seeds, share of the matmul's rate",
                     "  how much slower the slow machine is"]:
        assert expected in names, expected
    demos = {"GradientClipDemo", "TwoTensorDemo", "StepOnSurfaceDemo", "ExplodingDemo", "WeightHistogramDemo",
             "WeightDistributionDemo", "SamplesDemo", "DiracGANDemo", "PerExampleClipDemo",
             "GradientThroughTimeDemo"}
    assert demos == {row["name"].split(".")[0] for row in rows if row["group"] == "slider callbacks"
                     and not row["name"].startswith(" ")}
    assert all(isinstance(row["value"], float) and row["value"] > 0 for row in rows if "overhead" not in row["name"])
    # Each slider's budget is the slow machine's 100 ms, divided by how much slower that machine is than this one.
    slower = next(row["value"] for row in rows if row["name"] == "  how much slower the slow machine is")
    sliders = [row for row in rows if row["group"] == "slider callbacks" and not row["name"].startswith(" ")]
    assert all(row["goal"].endswith("(100 ms there)") and row["met"] == (row["value"] <= 100 / slower)
               for row in sliders)
    assert "written to" in result.stdout
