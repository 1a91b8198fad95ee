"""The synthetic generator's catalogues and truth files (tools/synth), without rendering.

Needs the generator's requirements (requirements-synth.txt); skipped without them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("anny")
pytest.importorskip("scipy")

from tools.synth import gait_curves, generate, splits  # noqa: E402
from tools.synth.render import CameraSpec, camera_eye, project  # noqa: E402
from tools.synth.walk import gait_timing, leg_events  # noqa: E402

DATA = Path(__file__).parent / "data"
CONDITION_KEYS = {"view", "off_axis_deg", "roll_deg", "camera_height_m", "distance_m", "gait",
                  "body", "clothing"}
SIZE_LIMITS = {"validation": 4_000_000, "dev": 1_500_000}


def _items(split: str) -> list[generate.Item]:
    return splits.split_catalogue(split)[0]


def test_split_sizes_and_unique_names() -> None:
    val, dev = _items("validation"), _items("dev")
    assert 36 <= sum(i.kind == "image" for i in val) <= 44
    assert 12 <= sum(i.kind == "video" for i in val) <= 16
    assert 12 <= len(dev) <= 24
    names = [i.file for i in val + dev + generate.catalogue()]
    assert len(names) == len(set(names))


def test_splits_share_no_body_scene_or_seed() -> None:
    val, dev = _items("validation"), _items("dev")
    fixtures = generate.catalogue()
    for key in ("body", "style"):
        a, b, c = ({getattr(i, key) for i in items} for items in (val, dev, fixtures))
        assert not (a & b) and not (a & c) and not (b & c), key
    seeds = {splits.SEEDS["validation"], splits.SEEDS["dev"], generate.SEED}
    assert len(seeds) == 3


def test_validation_spreads_the_conditions() -> None:
    val = _items("validation")
    stills = [i.phone for i in val if i.kind == "image"]
    assert {p.roll_deg for p in stills} == set(splits.ROLLS)
    assert {abs(p.off_axis_deg) for p in stills} == set(splits.OFF_AXES)
    assert {p.height_m for p in stills} == set(splits.HEIGHTS)
    walks = [i for i in val if i.kind == "video"]
    gaits = {i.gait.name for i in walks}
    assert {"normal", "slow", "fast", "limp_left", "limp_right", "bent_knee",
            "knee_hyperextension"} <= gaits
    distances = [i.phone.distance_m for i in walks]
    assert min(distances) == 2.0 and max(distances) == 6.0
    bodies = {i.body for i in val}
    assert {"va4", "va5"} <= bodies  # the child and the heavy adult


def test_fixture_catalogue_unchanged() -> None:
    truth = json.loads((DATA / "synthetic" / "truth.json").read_text())
    assert [i["file"] for i in truth["items"]] == [i.file for i in generate.catalogue()]


def test_original_gait_styles_keep_their_timing() -> None:
    for style in (gait_curves.NORMAL, gait_curves.CROUCH, gait_curves.HYPEREXT,
                  gait_curves.STIFF):
        assert style.stance_share("left") == style.stance_share("right") == 0.62
        assert style.left_offset() == 0.5
        assert style.hip_range_scale == 1.0 and style.painful_side is None


@pytest.mark.parametrize("style", [gait_curves.LIMP_LEFT, gait_curves.LIMP_RIGHT,
                                   gait_curves.SLOW, gait_curves.FAST])
def test_events_follow_each_legs_stance(style: gait_curves.GaitStyle) -> None:
    cycle = 1.2
    events = leg_events(style, 0.3, cycle, 6.0)
    timing = gait_timing(style, cycle)
    for side in ("left", "right"):
        strikes = [e["t_s"] for e in events if e["side"] == side and e["kind"] == "heel_strike"]
        offs = [e["t_s"] for e in events if e["side"] == side and e["kind"] == "toe_off"]
        stance = [min(t for t in offs if t > s) - s for s in strikes[:-1]]
        assert np.allclose(np.array(stance) / cycle * 100, timing["stance_pct"][side], atol=0.2)
    if style.painful_side:
        other = "left" if style.painful_side == "right" else "right"
        assert timing["stance_pct"][style.painful_side] < timing["stance_pct"][other]
        assert timing["step_time_s"][style.painful_side] < timing["step_time_s"][other]


def test_roll_and_off_axis_signs() -> None:
    centre = np.zeros(3)
    cam = CameraSpec("side_left", 3.0, 1.0, 50.0, 480, 640, off_axis_deg=20.0, roll_deg=5.0)
    eye = camera_eye(cam.view, cam.distance_m, cam.height_m, centre, cam.off_axis_deg)
    assert eye[1] < 0  # toward the subject's front (-Y)
    front = camera_eye("front", 3.0, 1.0, centre, 20.0)
    assert front[0] > 0  # toward the subject's left (+X)
    # A level line on the floor across the view: its right end appears higher (smaller y).
    line = np.array([[0.0, -1.0, 0.0], [0.0, 1.0, 0.0]])
    px = project(line, CameraSpec("side_left", 3.0, 1.0, 50.0, 480, 640, roll_deg=5.0),
                 centre, 1.7)
    left, right = px[np.argsort(px[:, 0])]
    assert right[1] < left[1]


@pytest.mark.parametrize("split", ["validation", "dev"])
def test_rendered_split_matches_its_catalogue(split: str) -> None:
    folder = DATA / split
    if not (folder / "truth.json").exists():
        pytest.skip(f"{split} split not rendered")
    doc = json.loads((folder / "truth.json").read_text())
    assert doc["format"] == "posture-synthetic/1"
    assert doc["generator"]["split"] == split
    assert [i["file"] for i in doc["items"]] == [i.file for i in _items(split)]
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < SIZE_LIMITS[split]
    for item in doc["items"]:
        assert (folder / item["file"]).exists()
        assert set(item["conditions"]) == CONDITION_KEYS
        findings = item["expected_findings"]
        if item["kind"] == "video":
            truth = item["truth"]
            assert set(truth["stance_pct"]) == {"left", "right"}
            assert "hollow_back" not in findings and "weight_shift" not in findings
            if item["conditions"]["gait"].startswith("limp"):
                side = truth["limp_side"]
                other = "left" if side == "right" else "right"
                assert truth["stance_pct"][side] < truth["stance_pct"][other]
        else:
            assert item["commanded"]["com_over_support"]
