"""Reading videos, photos and camera arrays, and refusing bad input with a clear sentence."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import numpy as np
import pytest
from media_factory import (
    VIDEO_CASES,
    make_audio_only,
    make_big_jpeg,
    make_case_video,
    make_empty,
    make_folder,
    make_image,
    make_random_bytes,
    make_text_file,
    make_vfr_video,
    make_video,
    png_bytes,
    remux_without_duration,
    truncate_copy,
)

from posture.errors import InputError
from posture.source import DisplayCopies, Frame, frame_from_array, open_media, probe


def read_all(path: Path, **kwargs: object) -> tuple[object, list[Frame]]:
    with open_media(path, **kwargs) as source:
        return source.info, list(source)


def marker_centre(image_rgb: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of the pure-red marker, as a fraction of the image size."""
    red = (image_rgb[:, :, 0] > 180) & (image_rgb[:, :, 1] < 90) & (image_rgb[:, :, 2] < 90)
    rows, cols = np.nonzero(red)
    assert rows.size > 0, "red marker not found"
    return rows.mean() / image_rgb.shape[0], cols.mean() / image_rgb.shape[1]


# --------------------------------------------------------------------------- videos


@pytest.mark.parametrize("case", sorted(VIDEO_CASES))
def test_each_codec_and_container_decodes(tmp_path: Path, case: str) -> None:
    path = make_case_video(tmp_path, case, n_frames=12, fps=25)
    info, frames = read_all(path)
    assert info.kind == "video"
    assert (info.width_px, info.height_px) == (96, 64)
    assert info.fps == pytest.approx(25.0)
    assert len(frames) == 12
    assert [f.index for f in frames] == list(range(12))
    assert [f.t_s for f in frames] == pytest.approx([i / 25 for i in range(12)], abs=1e-3)
    first = frames[0].image_rgb
    assert first.shape == (64, 96, 3) and first.dtype == np.uint8
    row, col = marker_centre(first)
    assert row < 0.2 and col < 0.2
    # The white square moves right: its centre column grows from the first to the last frame.
    def square_col(img: np.ndarray) -> float:
        return float(np.nonzero(img.min(axis=2) > 200)[1].mean())
    assert square_col(frames[-1].image_rgb) > square_col(first) + 10


@pytest.mark.parametrize(
    ("rotation_ccw_deg", "expected_rotation_deg", "marker_corner"),
    [
        (-90, 90, "top_right"),  # phone portrait: stored landscape, turn 90 degrees clockwise
        (90, 270, "bottom_left"),
        (180, 180, "bottom_right"),
    ],
)
def test_rotation_metadata_gives_upright_frames(
    tmp_path: Path, rotation_ccw_deg: int, expected_rotation_deg: int, marker_corner: str
) -> None:
    path = make_video(tmp_path / "phone.mp4", n_frames=4, width_px=128, height_px=64,
                      rotation_ccw_deg=rotation_ccw_deg)
    info, frames = read_all(path)
    assert info.rotation_deg == expected_rotation_deg
    quarter_turn = expected_rotation_deg in (90, 270)
    expected_shape = (128, 64, 3) if quarter_turn else (64, 128, 3)
    assert (info.height_px, info.width_px, 3) == expected_shape
    assert all(f.image_rgb.shape == expected_shape for f in frames)
    row, col = marker_centre(frames[0].image_rgb)
    want_bottom = marker_corner.startswith("bottom")
    want_right = marker_corner.endswith("right")
    assert (row > 0.5) == want_bottom and (col > 0.5) == want_right


def test_rotation_is_kept_when_downscaling(tmp_path: Path) -> None:
    path = make_video(tmp_path / "phone.mp4", n_frames=3, width_px=256, height_px=128,
                      rotation_ccw_deg=-90)
    _, frames = read_all(path, max_side_px=128)
    assert frames[0].image_rgb.shape == (128, 64, 3)


def test_variable_frame_rate_timestamps_are_the_written_pts(tmp_path: Path) -> None:
    pts_ms = [0, 33, 50, 120, 130, 200, 400, 410, 500]
    path = make_vfr_video(tmp_path / "vfr.mp4", pts_ms)
    _, frames = read_all(path)
    assert [f.t_s for f in frames] == pytest.approx([p / 1000 for p in pts_ms], abs=1e-6)


def test_a_video_that_states_no_duration_gets_it_from_its_packets(tmp_path: Path) -> None:
    import av

    source = make_video(tmp_path / "c.mp4", n_frames=36, fps=12)
    path = remux_without_duration(source, tmp_path / "recorded.mkv")
    with av.open(str(path)) as container:
        assert container.duration is None and not container.streams.video[0].frames
    info = probe(path)
    assert info.frame_count == 36
    assert info.duration_s == pytest.approx(3.0, abs=0.01)


@pytest.mark.parametrize("fps", [5, 240])
def test_low_and_high_frame_rates(tmp_path: Path, fps: int) -> None:
    path = make_video(tmp_path / f"r{fps}.mp4", n_frames=10, fps=fps)
    info, frames = read_all(path)
    assert info.fps == pytest.approx(fps)
    steps = np.diff([f.t_s for f in frames])
    assert steps == pytest.approx(np.full(9, 1 / fps), abs=1e-4)


def test_single_frame_video(tmp_path: Path) -> None:
    info, frames = read_all(make_video(tmp_path / "one.mp4", n_frames=1))
    assert len(frames) == 1 and frames[0].t_s == 0.0
    assert info.frame_count == 1


def test_downscale_keeps_aspect_ratio(tmp_path: Path) -> None:
    path = make_video(tmp_path / "big.mp4", n_frames=3, width_px=320, height_px=180)
    info, frames = read_all(path, max_side_px=160)
    assert (info.width_px, info.height_px) == (320, 180)  # info describes the source
    assert frames[0].image_rgb.shape == (90, 160, 3)
    with open_media(path) as source:  # per-call override
        assert next(iter(source.frames(max_side_px=64))).image_rgb.shape == (36, 64, 3)


def test_max_duration_stops_and_says_so(tmp_path: Path) -> None:
    path = make_video(tmp_path / "long.mp4", n_frames=50, fps=25)
    with open_media(path, max_duration_s=0.5) as source:
        frames = list(source)
        assert source.stopped_at_limit
    assert frames[-1].t_s <= 0.5 and len(frames) == 13
    with open_media(path, max_duration_s=10) as source:
        assert len(list(source)) == 50 and not source.stopped_at_limit


def test_every_nth_keeps_decode_index_and_time(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=10, fps=10)
    with open_media(path) as source:
        frames = list(source.frames(every_nth=3))
    assert [f.index for f in frames] == [0, 3, 6, 9]
    assert [f.t_s for f in frames] == pytest.approx([0.0, 0.3, 0.6, 0.9])


def test_streaming_decodes_lazily(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import posture.source as source_module

    converted: list[int] = []
    real_convert = source_module._to_upright_rgb

    def counting_convert(*args):  # type: ignore[no-untyped-def]
        converted.append(1)
        return real_convert(*args)

    monkeypatch.setattr(source_module, "_to_upright_rgb", counting_convert)
    path = make_video(tmp_path / "long.mp4", n_frames=300, fps=30)
    with open_media(path) as source:
        iterator = iter(source)
        first_three = list(itertools.islice(iterator, 3))
        # Only the frames asked for were turned into arrays, not the whole clip up front.
        assert len(converted) == 3
        assert [f.index for f in first_three] == [0, 1, 2]
        assert next(iterator).index == 3
    # Closing the source closes the open decoder; the iterator is then exhausted.
    assert next(iterator, None) is None
    assert len(converted) == 4


def test_for_display_conversion_is_close_to_the_usual_one(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=4, width_px=320, height_px=180)
    with open_media(path, max_side_px=160) as source:
        usual = list(source.frames())
        display = list(source.frames(for_display=True))
    for a, b in zip(usual, display, strict=True):
        assert a.image_rgb.shape == b.image_rgb.shape == (90, 160, 3)
        assert np.abs(a.image_rgb.astype(int) - b.image_rgb).mean() < 3


# --------------------------------------------------------------------------- display copies


def _copies(max_side_px: int = 160, max_fps: float = 30.0, max_bytes: int = 10**8
            ) -> DisplayCopies:
    return DisplayCopies(max_side_px=max_side_px, max_fps=max_fps, max_bytes=max_bytes)


def test_display_copies_are_the_frames_a_second_decode_gives(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=12, fps=60, width_px=320, height_px=180)
    copies = _copies()
    with open_media(path, max_side_px=64) as source:
        # A pass at another size and rate (the pose pass) keeps them on the side.
        assert [f.index for f in source.frames(every_nth=3, copies=copies)] == [0, 3, 6, 9]
    assert copies.every_nth == 2  # 60 fps kept at 30
    kept = list(copies.frames(every_nth=2) or [])
    with open_media(path) as source:
        fresh = list(source.frames(max_side_px=160, every_nth=2))
    assert [f.index for f in kept] == [f.index for f in fresh] == [0, 2, 4, 6, 8, 10]
    assert [f.t_s for f in kept] == pytest.approx([f.t_s for f in fresh])
    for a, b in zip(kept, fresh, strict=True):
        assert a.image_rgb.shape == b.image_rgb.shape == (90, 160, 3)
        assert np.abs(a.image_rgb.astype(int) - b.image_rgb).mean() < 3
    assert [f.index for f in copies.frames(every_nth=4) or []] == [0, 4, 8]
    assert copies.frames(every_nth=3) is None  # frames 3 and 9 were never kept


def test_display_copies_have_even_sizes(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=2, width_px=320, height_px=180)
    copies = _copies(max_side_px=75)
    with open_media(path) as source:
        list(source.frames(copies=copies))
    shapes = {f.image_rgb.shape for f in copies.frames() or []}
    assert shapes == {(42, 74, 3)}  # 75 x 42 fitted, then even for YUV 4:2:0


def test_display_copies_are_upright(tmp_path: Path) -> None:
    path = make_video(tmp_path / "phone.mp4", n_frames=3, width_px=256, height_px=128,
                      rotation_ccw_deg=-90)
    copies = _copies(max_side_px=128)
    with open_media(path) as source:
        usual = list(source.frames(max_side_px=128, copies=copies))
    kept = list(copies.frames() or [])
    assert kept[0].image_rgb.shape == usual[0].image_rgb.shape == (128, 64, 3)
    assert marker_centre(kept[0].image_rgb) == pytest.approx(
        marker_centre(usual[0].image_rgb), abs=0.05)


def test_display_copies_over_budget_are_dropped(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=10, width_px=320, height_px=180)
    one_frame_bytes = 160 * 90 * 3 // 2
    copies = _copies(max_bytes=4 * one_frame_bytes)
    with open_media(path) as source:
        assert len(list(source.frames(copies=copies))) == 10  # the pass itself goes on
    assert copies.complete and copies.frames() is None
    copies = _copies(max_bytes=10 * one_frame_bytes)
    with open_media(path) as source:
        list(source.frames(copies=copies))
    assert len(list(copies.frames() or [])) == 10


def test_a_clip_known_to_be_too_long_keeps_no_copy_at_all(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=10, width_px=320, height_px=180)
    kept_counts: list[int] = []
    real_copy = DisplayCopies._copy

    def counting_copy(self, *args):  # type: ignore[no-untyped-def]
        real_copy(self, *args)
        kept_counts.append(len(self._kept or []))

    monkeypatch.setattr(DisplayCopies, "_copy", counting_copy)
    copies = _copies(max_bytes=9 * 160 * 90 * 3 // 2)
    with open_media(path) as source:
        list(source.frames(copies=copies))  # its header says 10 frames: one too many
    assert kept_counts == [0] and copies.frames() is None


def test_display_copies_of_a_pass_stopped_early_are_not_used(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=30)
    copies = _copies()
    with open_media(path) as source:
        list(itertools.islice(source.frames(copies=copies), 5))
    assert not copies.complete and copies.frames() is None
    with open_media(path) as source:  # a new pass starts afresh
        list(source.frames(copies=copies))
    assert [f.index for f in copies.frames() or []] == list(range(30))


def test_display_copies_end_where_the_duration_limit_stops(tmp_path: Path) -> None:
    path = make_video(tmp_path / "c.mp4", n_frames=50, fps=25)
    copies = _copies()
    with open_media(path, max_duration_s=0.5) as source:
        frames = list(source.frames(copies=copies))
    assert [f.index for f in copies.frames() or []] == [f.index for f in frames]


def test_closing_while_a_thread_decodes_raises_nothing_and_stops_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An error in the consumer closes the media while the prefetch thread is inside the
    decoder: that must not replace the error with "generator already executing"."""
    import threading
    import time

    import posture.source as source_module

    real_iter = source_module._iter_decoded
    decoding = threading.Event()

    def slow_iter(container, stream):  # type: ignore[no-untyped-def]
        for decoded in real_iter(container, stream):
            decoding.set()
            time.sleep(0.3)
            yield decoded

    monkeypatch.setattr(source_module, "_iter_decoded", slow_iter)
    path = make_video(tmp_path / "c.mp4", n_frames=20)
    media = open_media(path)
    frames = source_module.prefetch(media.frames())
    assert next(frames).index == 0
    decoding.clear()
    assert decoding.wait(5)  # the thread is decoding the next frame now
    media.close()
    frames.close()  # the thread stops at its next frame
    assert not any(t.name != "MainThread" and t.is_alive() and "produce" in str(t)
                   for t in threading.enumerate())


def test_truncated_faststart_mp4_yields_what_decodes(tmp_path: Path) -> None:
    full = make_video(tmp_path / "full.mp4", n_frames=40, noise=True, faststart=True)
    cut = truncate_copy(full, tmp_path / "cut.mp4", 0.5)
    _, frames = read_all(cut)
    assert 0 < len(frames) < 40
    assert [f.index for f in frames] == list(range(len(frames)))


@pytest.mark.parametrize("case", ["vp9_webm", "mjpeg_avi", "h264_mkv"])
def test_truncated_streamable_containers_yield_frames(tmp_path: Path, case: str) -> None:
    full = make_case_video(tmp_path, case, n_frames=40, noise=True)
    cut = truncate_copy(full, tmp_path / f"cut{full.suffix}", 0.5)
    _, frames = read_all(cut)
    assert 0 < len(frames) < 40


def test_mp4_cut_before_its_index_is_reported_damaged(tmp_path: Path) -> None:
    full = make_video(tmp_path / "full.mp4", n_frames=40, noise=True)  # index at the end
    cut = truncate_copy(full, tmp_path / "cut.mp4", 0.5)
    with pytest.raises(InputError, match="damaged or truncated"):
        open_media(cut)


def test_audio_only(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"audio\.mp4 has no video track \(audio only\)"):
        open_media(make_audio_only(tmp_path / "audio.mp4"))


def test_tiny_video_is_refused(tmp_path: Path) -> None:
    path = make_video(tmp_path / "tiny.mp4", n_frames=2, width_px=32, height_px=32)
    with pytest.raises(InputError, match="32x32 pixels"):
        open_media(path)


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize("suffix", [".jpg", ".png", ".webp", ".bmp"])
def test_image_formats(tmp_path: Path, suffix: str) -> None:
    info, frames = read_all(make_image(tmp_path / f"photo{suffix}", 120, 80))
    assert info.kind == "image" and info.frame_count == 1
    assert (info.width_px, info.height_px) == (120, 80)
    assert len(frames) == 1 and frames[0].t_s == 0.0
    assert frames[0].image_rgb.shape == (80, 120, 3)
    row, col = marker_centre(frames[0].image_rgb)
    assert row < 0.2 and col < 0.2


def test_exif_orientation_6_is_applied(tmp_path: Path) -> None:
    path = make_image(tmp_path / "phone.jpg", 120, 80, exif_orientation=6)
    info, frames = read_all(path)
    assert (info.width_px, info.height_px) == (80, 120)
    assert info.rotation_deg == 90
    image = frames[0].image_rgb
    assert image.shape == (120, 80, 3)
    row, col = marker_centre(image)  # orientation 6: stored top-left shows at the top-right
    assert row < 0.2 and col > 0.8


@pytest.mark.parametrize("mode", ["RGBA", "L", "P"])
def test_image_modes_become_rgb(tmp_path: Path, mode: str) -> None:
    _, frames = read_all(make_image(tmp_path / "m.png", 100, 70, mode=mode))
    assert frames[0].image_rgb.shape == (70, 100, 3)
    assert frames[0].image_rgb.dtype == np.uint8


def test_cmyk_jpeg_and_16_bit_png_become_rgb(tmp_path: Path) -> None:
    from PIL import Image

    cmyk = tmp_path / "cmyk.jpg"
    Image.new("CMYK", (90, 70), (0, 255, 255, 0)).save(cmyk)  # pure red in CMYK
    image = read_all(cmyk)[1][0].image_rgb
    assert image.shape == (70, 90, 3) and image[0, 0, 0] > 200 and image[0, 0, 1] < 60
    deep = tmp_path / "deep.png"
    ramp = np.tile(np.linspace(0, 65535, 100).astype(np.uint16), (70, 1))
    Image.fromarray(ramp).save(deep)
    grey = read_all(deep)[1][0].image_rgb
    assert grey.shape == (70, 100, 3) and grey[0, 0, 0] < 5 and grey[0, -1, 0] > 250


def test_heic_photo_is_named(tmp_path: Path) -> None:
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100)
    with pytest.raises(InputError, match="HEIC.*export it as JPG"):
        open_media(path)


def test_tiny_image_is_refused(tmp_path: Path) -> None:
    path = make_image(tmp_path / "dot.png", 2, 2)
    with pytest.raises(InputError, match=r"The image is 2x2 pixels; a person needs at least 64"):
        open_media(path)


def test_8k_jpeg_is_read_and_downscaled(tmp_path: Path) -> None:
    path = make_big_jpeg(tmp_path / "8k.jpg", 7680, 4320)
    info = probe(path)
    assert (info.width_px, info.height_px) == (7680, 4320)
    _, frames = read_all(path, max_side_px=1280)
    assert frames[0].image_rgb.shape == (720, 1280, 3)
    # With no limit the built-in cap still keeps it at or below 8192 px (here: full size).
    with open_media(path, max_image_side_px=4096) as source:
        assert next(iter(source)).image_rgb.shape == (2304, 4096, 3)


def test_absurd_image_size_gets_a_message(tmp_path: Path) -> None:
    # A 1-bit PNG of 20000 x 10000 px is tiny on disk but 200 Mpx: beyond Pillow's bomb limit.
    from PIL import Image

    path = tmp_path / "huge.png"
    Image.new("1", (20000, 10000)).save(path)
    with pytest.raises(InputError, match=r"huge.png is far too large .*200 megapixels"):
        open_media(path)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("make", "keywords"),
    [
        (lambda d: d / "missing.mp4", "No such file"),
        (lambda d: make_folder(d / "clip.mp4"), "clip.mp4 is a folder, not a video or photo"),
        (lambda d: make_empty(d / "clip.mp4"), r"clip.mp4 is empty \(0 bytes\)"),
        (lambda d: make_text_file(d / "clip.mp4"), r"not a video or photo .*looks like text/HTML"),
        (lambda d: make_text_file(d / "pic.png", html=False), "looks like text/HTML"),
        (lambda d: make_random_bytes(d / "clip.mp4"), "not a video or photo this program can"),
        (lambda d: make_random_bytes(d / "pic.jpg"), "not a video or photo this program can"),
    ],
    ids=["missing", "folder", "empty", "html_as_mp4", "text_as_png", "random_mp4", "random_jpg"],
)
def test_bad_input_messages(tmp_path: Path, make, keywords: str) -> None:
    path = make(tmp_path)
    with pytest.raises(InputError, match=keywords) as excinfo:
        open_media(path)
    message = str(excinfo.value)
    assert message.endswith(".") and "\n" not in message


def test_type_is_detected_by_content_not_extension(tmp_path: Path) -> None:
    video_named_png = make_video(tmp_path / "clip.mp4", n_frames=3).rename(tmp_path / "clip.png")
    assert probe(video_named_png).kind == "video"
    photo_named_mp4 = tmp_path / "photo.mp4"
    photo_named_mp4.write_bytes(png_bytes())
    assert probe(photo_named_mp4).kind == "image"


def test_truncated_jpeg_gets_a_damaged_message(tmp_path: Path) -> None:
    full = make_image(tmp_path / "p.jpg", 400, 300)
    cut = truncate_copy(full, tmp_path / "cut.jpg", 0.4)
    with pytest.raises(InputError, match="damaged or truncated"), open_media(cut) as source:
        list(source)


# --------------------------------------------------------------------------- live frames


def test_frame_from_array_rgb_bgr_grey() -> None:
    bgr = np.zeros((48, 64, 3), np.uint8)
    bgr[:, :, 0] = 200  # blue in BGR order
    frame = frame_from_array(bgr, index=7, t_s=1.25, channel_order="bgr")
    assert (frame.index, frame.t_s) == (7, 1.25)
    assert frame.image_rgb[0, 0].tolist() == [0, 0, 200]
    bgr[:] = 0  # the frame owns a copy
    assert frame.image_rgb[0, 0, 2] == 200
    grey = frame_from_array(np.full((10, 12), 9, np.uint8))
    assert grey.image_rgb.shape == (10, 12, 3)
    rgba = frame_from_array(np.zeros((10, 12, 4), np.uint8))
    assert rgba.image_rgb.shape == (10, 12, 3)
    with pytest.raises(InputError, match="height x width x 3"):
        frame_from_array(np.zeros((10, 12, 5), np.uint8))


# --------------------------------------------------------------------------- fuzz


def _mutations(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["flip", "truncate", "insert", "zero_run"])
    buf = bytearray(data)
    if kind == "flip":
        for _ in range(rng.randint(1, 20)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del buf[rng.randrange(1, len(buf)):]
    elif kind == "insert":
        at = rng.randrange(len(buf))
        buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        at = rng.randrange(len(buf))
        buf[at : at + rng.randint(1, 200)] = b"\x00" * 50
    return bytes(buf)


@pytest.mark.parametrize("seed", range(3))
def test_fuzzed_files_give_frames_or_input_error(tmp_path: Path, seed: int) -> None:
    video = make_video(tmp_path / "v.mp4", n_frames=8, faststart=bool(seed % 2)).read_bytes()
    image = png_bytes()
    jpeg = make_image(tmp_path / "p.jpg", 96, 64).read_bytes()
    rng = random.Random(seed)
    outcomes = {"frames": 0, "input_error": 0}
    for i in range(20):
        original, suffix = [(video, ".mp4"), (image, ".png"), (jpeg, ".jpg")][i % 3]
        path = tmp_path / f"fuzz{i}{suffix}"
        path.write_bytes(_mutations(original, rng))
        try:
            with open_media(path, max_side_px=64) as source:
                frames = list(source)
            assert frames and all(f.image_rgb.ndim == 3 for f in frames)
            outcomes["frames"] += 1
        except InputError as exc:
            assert str(exc).endswith(".")
            outcomes["input_error"] += 1
    assert sum(outcomes.values()) == 20


# --------------------------------------------------------------------------- real clips


@pytest.mark.media
@pytest.mark.parametrize(
    ("name", "codec", "size", "fps", "n_frames"),
    [
        ("walk_side_outdoor_sports2d.mp4", "vp9", (1768, 994), 30.0, 230),
        ("one_leg_balance_front_pose2sim.mp4", "vp9", (1080, 1920), 60.0, 100),
        ("one_leg_balance_front_oblique_pose2sim.mp4", "h264", (1080, 1920), 60.0, 100),
        ("static_tpose_front_oblique_pose2sim.mp4", "h264", (1080, 1920), 60.0, 11),
        ("squats_front_tfjs.mp4", "h264", (720, 1280), 5.0, 65),
    ],
)
def test_real_clips(shared_media: Path, name: str, codec: str, size: tuple[int, int],
                    fps: float, n_frames: int) -> None:
    with open_media(shared_media / name, max_side_px=320) as source:
        info = source.info
        frames = list(source)
    assert info.codec == codec and (info.width_px, info.height_px) == size
    assert info.fps == pytest.approx(fps) and info.rotation_deg == 0
    assert len(frames) == n_frames == info.frame_count
    width, height = size
    scale = 320 / max(size)
    assert frames[0].image_rgb.shape == (round(height * scale), round(width * scale), 3)
    assert frames[-1].t_s == pytest.approx((n_frames - 1) / fps, abs=1e-3)


@pytest.mark.media
def test_real_photo(shared_media: Path) -> None:
    info, frames = read_all(shared_media / "warrior2_front_mediapipe.jpg")
    assert info.kind == "image" and (info.width_px, info.height_px) == (1000, 667)
    assert frames[0].image_rgb.shape == (667, 1000, 3)

