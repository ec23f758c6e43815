"""Results as pandas DataFrames (the optional extra, installed with the test extra)."""

from __future__ import annotations

import pandas as pd
import pytest

from simkz.errors import InputError
from simkz.results.frames import load_frames


def test_a_run_as_tidy_frames(run_toy, tmp_path):
    result = run_toy([{"at": "2022-01-05T14:00+06:00", "shutdown": {"kind": "access", "tech": "mobile"}}])
    frames = result.to_pandas()
    assert set(frames) == set(result.tables)
    national = frames["national"]
    assert len(national) == len(result.tables["national"])
    assert str(national["time"].dt.tz) == "UTC+06:00"
    assert national["services_disrupted_count"].dtype == "int64"
    by_rt = frames["by_region_technology"]
    row = by_rt[(by_rt["region"] == "north") & (by_rt["technology"] == "mobile") & (by_rt["elapsed_h"] == 3)]
    assert row["connectivity_index_pct"].item() == 0
    # a saved folder reads back as the same frames
    loaded = load_frames(result.save(tmp_path / "r", provenance=False))
    pd.testing.assert_frame_equal(
        loaded["national"][["elapsed_h", "connectivity_index_pct"]],
        national[["elapsed_h", "connectivity_index_pct"]],
    )


def test_load_frames_names_a_missing_folder(tmp_path):
    with pytest.raises(InputError, match="results folder not found"):
        load_frames(tmp_path / "nowhere")
