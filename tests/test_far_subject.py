"""A person small in the picture (far from the camera, or a low-resolution recording): the
subject scan looks again in tiles and the pose pass follows them in a crop."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import posture.subject as subject_module
from posture.config import Config, FarSubjectConfig, config_from_dict
from posture.landmarks import LEFT_ANKLE, LEFT_HIP, LEFT_SHOULDER, RIGHT_ANKLE, RIGHT_HIP
from posture.pipeline import analyse
from posture.source import probe
from posture.subject import (
    Sighting,
    plan_after_tiles,
    scan_for_subject,
    tile_boxes,
    tiled_search_reason,
    tiled_sightings,
)

ROOT = Path(__file__).resolve().parents[1]
# A man walking past 5 m away, about 130 px tall in 640x480: MediaPipe over the whole
# frame finds him in 10 of its 120 frames.
FAR_WALK = ROOT / "tests" / "data" / "dev" / "walk_side_left_fast_d50_r+5_o+0_h140_dv3.mp4"
PHOTO = ROOT / "samples" / "stand_side_neutral.jpg"
NO_TILES = config_from_dict({"far_subject": {"enabled": False}})


def _strikes(analysis) -> int:
    gait = analysis.report.gait
    return 0 if gait is None else sum(e.kind == "heel_strike" for e in gait.events)


def _small_person_photo(picture_px: int = 130, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """The sample photo shrunk to ``picture_px`` tall (the man in it about 100 px) on a
    plain canvas of its background colour."""
    with Image.open(PHOTO) as image:
        image = image.convert("RGB")
        background = np.asarray(image)[5:15, 5:15].reshape(-1, 3).mean(axis=0)
        small = image.resize((round(image.width * picture_px / image.height), picture_px),
                             Image.Resampling.LANCZOS)
    width, height = size
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = background.astype(np.uint8)
    y0, x0 = height - picture_px - 60, width // 2 + 50
    canvas[y0:y0 + picture_px, x0:x0 + small.width] = np.asarray(small)
    return canvas


# ----------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def far_walk():
    return analyse(FAR_WALK)


def test_a_far_walker_is_followed_and_the_gait_found(far_walk) -> None:
    summary = far_walk.report.summary
    assert summary["frames_of_subject"] >= 0.7 * summary["frames_analysed"]
    assert summary["view"] == "side_left" and summary["activity"] == "walking"
    assert _strikes(far_walk) >= 4
    # truth.json: 124.1 steps/min
    assert far_walk.report.gait.cadence_steps_per_min == pytest.approx(124, abs=8)


def test_without_tiles_the_far_walker_is_mostly_missed() -> None:
    summary = analyse(FAR_WALK, config=NO_TILES).report.summary
    assert summary["frames_of_subject"] < 0.3 * summary["frames_analysed"]


def test_a_small_person_in_a_photo_is_found_and_measured(tmp_path: Path) -> None:
    canvas = _small_person_photo()
    assert not analyse(canvas, config=NO_TILES).report.summary["person_found"]
    full = analyse(PHOTO).report.finding("knee_hyperextension")
    path = tmp_path / "far.png"
    Image.fromarray(canvas).save(path)
    for source in (canvas, path):
        report = analyse(source).report
        assert report.summary["person_found"] and report.summary["view"] == "side_left"
        knee = report.finding("knee_hyperextension")
        assert knee.status == full.status == "not_detected"
        assert knee.value == pytest.approx(full.value, abs=3.0)


def test_a_clip_whose_subject_is_found_at_once_is_not_searched_in_tiles(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_tiles(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("searched in tiles")

    monkeypatch.setattr(subject_module, "tiled_sightings", no_tiles)
    walk = ROOT / "samples" / "walk_side_normal.mp4"
    samples: list = []
    plan = scan_for_subject(walk, probe(walk), Config(), samples=samples)
    assert plan.track is None and len(samples) == 8 and all(samples)


# ----------------------------------------------------------------------------- helpers


def test_tiles_cover_the_frame_and_overlap_by_half() -> None:
    far = FarSubjectConfig()
    for width, height in [(640, 480), (640, 360), (480, 640), (1768, 994)]:
        tiles = tile_boxes(width, height, far)
        covered = np.zeros((height, width), bool)
        for x0, y0, x1, y1 in tiles:
            assert x1 - x0 == y1 - y0 == round(0.4 * max(width, height))  # square
            assert min(x0, y0) >= 0 and x1 <= width and y1 <= height
            covered[y0:y1, x0:x1] = True
        assert covered.all()
        # Neighbours share at least half a tile, so a person up to half a tile tall is
        # whole in one of them.
        side = tiles[0][2] - tiles[0][0]
        xs = sorted({t[0] for t in tiles})
        ys = sorted({t[1] for t in tiles})
        assert max(np.diff(xs), default=0) <= side / 2 and max(np.diff(ys), default=0) <= side / 2
    assert tile_boxes(96, 64, far) == []  # too small to bother


def _figure(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    """33 points spread over a box: shoulders on top, hips in the middle, ankles below."""
    pts = np.zeros((33, 2))
    pts[:, 0] = np.linspace(x0, x1, 33)
    pts[:, 1] = np.linspace(y0, y1, 33)
    pts[[LEFT_SHOULDER, 12], 1] = y0
    pts[[LEFT_HIP, RIGHT_HIP]] = ((x0 + x1) / 2, (y0 + y1) / 2)
    pts[[LEFT_ANKLE, RIGHT_ANKLE], 1] = y1
    return pts


def test_tiled_sightings_see_a_small_person_once_in_full_frame_pixels() -> None:
    image = np.zeros((480, 640, 3), np.uint8)
    image[300:400, 420:440] = 255  # a "person" 100 px tall

    def find_one(img: np.ndarray) -> np.ndarray | None:
        # Like MediaPipe's detector: only someone at least a third of the picture tall.
        ys, xs = np.nonzero(img[..., 0] == 255)
        if xs.size == 0 or (ys.max() - ys.min() + 1) < max(img.shape[:2]) / 3:
            return None
        return _figure(xs.min(), ys.min(), xs.max(), ys.max())

    assert find_one(image) is None  # the whole frame misses them
    found = tiled_sightings(image, 2.0, find_one, 2.0, FarSubjectConfig())
    assert len(found) == 1  # seen in several tiles, kept once
    sighting = found[0]
    assert sighting.t_s == 2.0
    assert sighting.centre_px == pytest.approx((2 * 429.5, 2 * 349.5))
    assert sighting.box_px == pytest.approx((840, 600, 878, 798))


def _sighting(t_s: float, x_px: float, height_px: float) -> Sighting:
    return Sighting(t_s, (x_px, 300.0), (x_px - 20, 300 - height_px, x_px + 20, 300 + 20),
                    height_px)


def test_tiles_are_searched_only_for_nobody_a_small_or_a_seldom_seen_subject() -> None:
    far = FarSubjectConfig()

    def reason(samples: list[list[Sighting]]) -> str | None:
        return tiled_search_reason(samples, 640, 480, far)

    large = [[_sighting(0.5 * i, 100 + 10 * i, 200.0)] for i in range(8)]
    assert reason(large) is None
    assert reason([[] for _ in range(8)]) == "nobody"
    small = [[_sighting(0.5 * i, 100 + 10 * i, 80.0)] for i in range(8)]  # 0.125 of 640
    assert reason(small) == "small"
    assert reason([s if i in (3, 4) else [] for i, s in enumerate(large)]) == "seldom"
    on_and_off = [s if i % 2 else [] for i, s in enumerate(large)]  # half the time in view
    assert reason(on_and_off) == "seldom"
    walks_in_late = [s if i >= 4 else [] for i, s in enumerate(large)]
    assert reason(walks_in_late) is None
    assert tiled_search_reason(small, 640, 480, FarSubjectConfig(enabled=False)) is None


def test_a_lone_person_small_in_the_picture_is_followed_in_a_crop() -> None:
    far = FarSubjectConfig()
    walker = [[_sighting(0.5 * i, 100 + 40 * i, 90.0)] for i in range(8)]  # 0.14 of 640
    plan = plan_after_tiles(walker, 640, 480, far)
    assert plan.track is not None and len(plan.track.sightings) == 8
    assert "in a crop around them" in plan.method
    box = plan.crop_box(1.0, 640, 480)
    assert box is not None and box[0] < 180 < box[2]
    # Someone larger is followed by MediaPipe's tracker over whole frames, as before.
    larger = [[_sighting(0.5 * i, 100 + 40 * i, 120.0)] for i in range(8)]
    assert plan_after_tiles(larger, 640, 480, far).track is None
    # One sighting in a whole clip is taken for a false detection.
    glimpse = [s if i == 3 else [] for i, s in enumerate(walker)]
    assert plan_after_tiles(glimpse, 640, 480, far).track is None
