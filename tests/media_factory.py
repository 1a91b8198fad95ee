"""Tiny test media made on the fly (PyAV and Pillow), so no binary fixtures live in the repo.

Every video shows a bright square moving right over a dark background, with a red marker in the
stored frame's top-left corner, so tests can check orientation and motion. Sizes are small
(96x64 or so) to keep encoding fast.

Example::

    path = make_video(tmp_path / "clip.mp4", codec="libx264", n_frames=10)
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

# (file suffix, encoder, pixel format) per case; the suffix picks the container.
VIDEO_CASES: dict[str, tuple[str, str, str]] = {
    "h264_mp4": (".mp4", "libx264", "yuv420p"),
    "hevc_mp4": (".mp4", "libx265", "yuv420p"),
    "vp9_webm": (".webm", "libvpx-vp9", "yuv420p"),
    "vp9_mp4": (".mp4", "libvpx-vp9", "yuv420p"),
    "mjpeg_avi": (".avi", "mjpeg", "yuvj420p"),
    "mpeg4_avi": (".avi", "mpeg4", "yuv420p"),
    "h264_mov": (".mov", "libx264", "yuv420p"),
    "h264_mkv": (".mkv", "libx264", "yuv420p"),
    "av1_mp4": (".mp4", "libsvtav1", "yuv420p"),
}

MARKER_RGB = (255, 0, 0)
MARKER_PX = 12


def synthetic_frame(i: int, width_px: int, height_px: int, noise: bool = False) -> np.ndarray:
    """Frame i: red marker at the top-left, a white square moving right with i.

    ``noise`` adds a random texture so every frame costs many bytes (for truncation tests).
    """
    image = np.full((height_px, width_px, 3), 30, np.uint8)
    if noise:
        rng = np.random.default_rng(i)
        image[:] = rng.integers(0, 120, (height_px, width_px, 3), dtype=np.uint8)
    image[:MARKER_PX, :MARKER_PX] = MARKER_RGB
    side = max(8, height_px // 4)
    x0 = (8 + 3 * i) % max(1, width_px - side)
    y0 = height_px // 2 - side // 2
    image[y0 : y0 + side, x0 : x0 + side] = 255
    return image


def make_video(
    path: Path,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    n_frames: int = 10,
    fps: int = 25,
    width_px: int = 96,
    height_px: int = 64,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    rotation_ccw_deg: int | None = None,
    faststart: bool = False,
    noise: bool = False,
) -> Path:
    """Encode a synthetic clip. ``pts`` (in ``time_base`` units) makes it variable-frame-rate.

    ``rotation_ccw_deg`` writes a display matrix (as phones do): -90 is what a phone held
    upright writes for a landscape-stored sensor image (``rotate=90`` in old metadata).
    ``faststart`` puts the MP4 index first, so a truncated copy still has decodable frames.
    """
    frames = (synthetic_frame(i, width_px, height_px, noise) for i in range(n_frames))
    return encode_frames(path, frames, width_px, height_px, codec=codec, pix_fmt=pix_fmt,
                         fps=fps, pts=pts, time_base=time_base,
                         rotation_ccw_deg=rotation_ccw_deg, faststart=faststart)


# Quiet, fast settings for encoders that need them in tests.
ENCODER_OPTIONS = {
    "libx265": {"x265-params": "log-level=error"},
    "libsvtav1": {"preset": "12", "svtav1-params": "verbosity=0"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8"},
}


def encode_frames(
    path: Path,
    frames: Iterable[np.ndarray],
    width_px: int,
    height_px: int,
    *,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    fps: int = 25,
    pts: Sequence[int] | None = None,
    time_base: Fraction | None = None,
    rotation_ccw_deg: int | None = None,
    faststart: bool = False,
) -> Path:
    """Encode RGB frames of ``width_px`` x ``height_px``; the one writer both media
    factories use. ``pts`` (in ``time_base`` units) makes it variable-frame-rate."""
    path = Path(path)
    options = {"movflags": "+faststart"} if faststart else {}
    with av.open(str(path), mode="w", options=options) as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width = width_px
        stream.height = height_px
        stream.pix_fmt = pix_fmt
        if codec in ENCODER_OPTIONS:
            stream.options = dict(ENCODER_OPTIONS[codec])
        if time_base is not None:
            stream.time_base = time_base
            stream.codec_context.time_base = time_base
        if rotation_ccw_deg:
            stream.set_display_rotation(rotation_ccw_deg)
        for i, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = pts[i] if pts is not None else i
            if time_base is not None:
                frame.time_base = time_base
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_case_video(directory: Path, case: str, **kwargs: object) -> Path:
    suffix, codec, pix_fmt = VIDEO_CASES[case]
    return make_video(Path(directory) / f"{case}{suffix}", codec=codec, pix_fmt=pix_fmt, **kwargs)


def remux_without_duration(source: Path, path: Path) -> Path:
    """``source``'s video packets in a Matroska file that states no duration and no frame
    count, as browsers' recorders write WebM."""
    with av.open(str(source)) as src, \
            av.open(str(path), "w", format="matroska", options={"live": "1"}) as dst:
        stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    return path


def make_vfr_video(path: Path, pts_ms: Sequence[int]) -> Path:
    """H.264 MP4 whose frames sit at the given millisecond times (irregular spacing)."""
    return make_video(
        path, codec="libx264", n_frames=len(pts_ms), fps=30, pts=list(pts_ms),
        time_base=Fraction(1, 1000),
    )


def make_audio_only(path: Path, seconds: float = 0.5) -> Path:
    """AAC in MP4 with no video track."""
    rate = 16000
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        n = int(rate * seconds)
        samples = (0.2 * np.sin(np.arange(n) * 2 * np.pi * 440 / rate)).astype(np.float32)
        chunk = 1024
        for start in range(0, n, chunk):
            part = samples[start : start + chunk]
            if part.size < chunk:
                part = np.pad(part, (0, chunk - part.size))
            frame = av.AudioFrame.from_ndarray(part[None, :], format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def truncate_copy(src: Path, dst: Path, fraction: float = 0.5) -> Path:
    data = Path(src).read_bytes()
    Path(dst).write_bytes(data[: int(len(data) * fraction)])
    return Path(dst)


def make_image(
    path: Path,
    width_px: int = 120,
    height_px: int = 80,
    *,
    fmt: str | None = None,
    exif_orientation: int | None = None,
    mode: str = "RGB",
) -> Path:
    """Synthetic photo (red marker top-left as stored), optional EXIF orientation tag."""
    image = Image.fromarray(synthetic_frame(0, width_px, height_px)).convert(mode)
    kwargs: dict[str, object] = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    if (fmt or Path(path).suffix.lower()) in ("JPEG", ".jpg", ".jpeg"):
        kwargs["quality"] = 90
    image.save(path, format=fmt, **kwargs)
    return Path(path)


def make_big_jpeg(path: Path, width_px: int = 7680, height_px: int = 4320) -> Path:
    """Large JPEG, built from a small pattern so the test does not hold a huge array twice."""
    small = Image.fromarray(synthetic_frame(0, width_px // 16, height_px // 16))
    small.resize((width_px, height_px), Image.Resampling.NEAREST).save(path, quality=70)
    return Path(path)


def make_text_file(path: Path, html: bool = True) -> Path:
    body = "<!DOCTYPE html><html><body><h1>Not a video</h1></body></html>\n" if html else (
        "This is just a note, not a video.\n" * 20
    )
    Path(path).write_text(body, encoding="utf-8")
    return Path(path)


def make_random_bytes(path: Path, n_bytes: int = 20000, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    data = bytearray(rng.integers(0, 256, n_bytes, dtype=np.uint8).tobytes())
    data[4] = 0  # guarantee a zero byte so the sample cannot pass as text
    Path(path).write_bytes(bytes(data))
    return Path(path)


def png_bytes(width_px: int = 96, height_px: int = 64) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(synthetic_frame(0, width_px, height_px)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_empty(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


def make_folder(path: Path) -> Path:
    os.makedirs(path, exist_ok=True)
    return Path(path)
