"""The annotated-video writer: browser-playable output that decodes back to what was written."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from media_factory import synthetic_frame

from posture.source import open_media
from posture.video_out import VideoWriter


def stream_facts(path: Path) -> dict[str, object]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "size": (stream.codec_context.width, stream.codec_context.height),
        }


@pytest.mark.parametrize(("suffix", "codec"), [(".mp4", "h264"), (".webm", "vp9")])
def test_output_decodes_with_same_count_size_and_codec(
    tmp_path: Path, suffix: str, codec: str
) -> None:
    path = tmp_path / f"out{suffix}"
    with VideoWriter(path, fps=25, width_px=96, height_px=64, codec=codec) as out:
        for i in range(20):
            out.write(synthetic_frame(i, 96, 64))
    assert out.frames_written == 20
    assert stream_facts(path) == {"codec": codec, "pix_fmt": "yuv420p", "size": (96, 64)}
    with open_media(path) as source:
        frames = list(source)
        assert source.info.fps == pytest.approx(25)
    assert len(frames) == 20
    assert [f.t_s for f in frames] == pytest.approx([i / 25 for i in range(20)], abs=1e-3)
    # Lossy, but the picture survives: mean error small against the written frame.
    error = np.abs(frames[5].image_rgb.astype(int) - synthetic_frame(5, 96, 64).astype(int))
    assert error.mean() < 8


def test_mp4_is_faststart(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    with VideoWriter(path, fps=10, width_px=64, height_px=64) as out:
        for i in range(5):
            out.write(synthetic_frame(i, 64, 64))
    data = path.read_bytes()
    # The index ("moov") comes before the media ("mdat"), so browsers can start playing early.
    assert 0 < data.find(b"moov") < data.find(b"mdat")


def test_odd_size_is_padded_to_even(tmp_path: Path) -> None:
    path = tmp_path / "odd.mp4"
    with VideoWriter(path, fps=10, width_px=97, height_px=65) as out:
        for i in range(4):
            out.write(synthetic_frame(i, 97, 65))
    assert stream_facts(path)["size"] == (98, 66)
    with open_media(path) as source:
        assert len(list(source)) == 4


def test_variable_timestamps_are_kept(tmp_path: Path) -> None:
    times_s = [0.0, 0.04, 0.05, 0.2, 0.21, 0.5]
    path = tmp_path / "vfr.mp4"
    with VideoWriter(path, fps=30, width_px=64, height_px=64) as out:
        for i, t_s in enumerate(times_s):
            out.write(synthetic_frame(i, 64, 64), t_s=t_s + 3.0)  # offset: video starts at 0
    with open_media(path) as source:
        assert [f.t_s for f in source] == pytest.approx(times_s, abs=1e-4)


def test_frames_of_another_size_are_scaled(tmp_path: Path) -> None:
    path = tmp_path / "mixed.mp4"
    with VideoWriter(path, fps=10, width_px=96, height_px=64) as out:
        out.write(synthetic_frame(0, 96, 64))
        out.write(synthetic_frame(1, 192, 128))
    with open_media(path) as source:
        assert [f.image_rgb.shape for f in source] == [(64, 96, 3), (64, 96, 3)]


def test_exception_inside_with_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    with pytest.raises(RuntimeError, match="boom"), VideoWriter(path, 10, 64, 64) as out:
        out.write(synthetic_frame(0, 64, 64))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_exception_keeps_a_previous_video(tmp_path: Path) -> None:
    path = tmp_path / "out.mp4"
    path.write_bytes(b"previous")
    with pytest.raises(ValueError, match="shape"), VideoWriter(path, 10, 64, 64) as out:
        out.write(np.zeros((64, 64), np.uint8))  # wrong shape
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]


def test_no_frames_leaves_no_file(tmp_path: Path) -> None:
    with VideoWriter(tmp_path / "empty.mp4", 10, 64, 64) as out:
        pass
    assert out.frames_written == 0
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "x.avi"}, "suffix"),
        ({"path": "x.webm"}, "WebM holds VP9"),
        ({"codec": "hevc"}, "codec must be"),
        ({"fps": 0}, "fps"),
    ],
)
def test_bad_arguments(tmp_path: Path, kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"path": "x.mp4", "fps": 10, "width_px": 64, "height_px": 64}
    args.update(kwargs)
    args["path"] = tmp_path / str(args["path"])
    with pytest.raises(ValueError, match=message):
        VideoWriter(**args)  # type: ignore[arg-type]
