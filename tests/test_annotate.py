"""The annotated video is drawn from small copies the analysis's decoder kept, so the clip is
not decoded again; without them (a long clip, or switched off) it is decoded again and the
video is the same."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from conftest import PROJECT_ROOT

from posture import analyse
from posture.config import config_from_dict
from posture.source import MediaSource

WALK = PROJECT_ROOT / "samples" / "walk_side_normal.mp4"  # 640x480, 30 fps, 120 frames


@pytest.fixture
def decode_passes(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every full decoding pass over a video file, as it starts (keyframe-only scans of
    long clips are not counted: the sample is short)."""
    passes: list[bool] = []
    real = MediaSource._video_pass

    def counting(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        passes.append(bool(kwargs.get("keyframes_only")))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(MediaSource, "_video_pass", counting)
    return passes


def _read(path: Path) -> tuple[list[float], list[np.ndarray]]:
    with av.open(str(path)) as container:
        frames = list(container.decode(video=0))
    return [float(f.time) for f in frames], [f.to_ndarray(format="rgb24") for f in frames]


def test_annotated_video_costs_no_second_decode(tmp_path: Path,
                                                decode_passes: list[bool]) -> None:
    plain = analyse(WALK)
    passes_for_analysis = len(decode_passes)
    out = tmp_path / "annotated.mp4"
    annotated = analyse(WALK, annotated_path=out)
    assert len(decode_passes) == 2 * passes_for_analysis
    assert annotated.report.to_dict() == plain.report.to_dict()
    times, images = _read(out)
    assert len(images) == 120 and images[0].shape == (480, 640, 3)
    assert times == pytest.approx(list(plain.measurements.t_s), abs=1e-3)


def test_without_copies_the_clip_is_decoded_again_for_the_same_video(
        tmp_path: Path, decode_passes: list[bool]) -> None:
    kept = tmp_path / "kept.mp4"
    analyse(WALK, annotated_path=kept)
    passes_with_copies = len(decode_passes)
    decoded = tmp_path / "decoded.mp4"
    analyse(WALK, annotated_path=decoded,
            config=config_from_dict({"speed": {"display_copies_max_bytes": 0}}))
    assert len(decode_passes) == 2 * passes_with_copies + 1
    times_kept, images_kept = _read(kept)
    times_decoded, images_decoded = _read(decoded)
    assert times_kept == times_decoded
    # The same drawing on the same picture, up to rounding in the colour conversions.
    diff = [np.abs(a.astype(int) - b).mean() for a, b in
            zip(images_kept, images_decoded, strict=True)]
    assert max(diff) < 3


def test_angle_labels_never_cover_each_other_and_stay_in_the_picture() -> None:
    from posture.annotate import _text_box, place_labels

    # Side view: both knees and both hips in nearly one place, one label at the right edge.
    wanted = [("L knee +12", (300, 200), 0), ("R knee +9", (302, 203), 1),
              ("trunk +4", (298, 190), 2), ("pelvis -1", (630, 100), 3)]
    placed = place_labels(wanted, (640, 480), 0.5)
    assert [p[0] for p in placed] == [w[0] for w in wanted]
    boxes = [_text_box(text, origin, 0.5) for text, origin, _ in placed]
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= 640 and a[1] >= 0
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
