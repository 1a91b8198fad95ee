"""Test media with a real person in it, made on the fly from the shared real media.

``tests/media_factory.py`` makes files with no person (a moving square); the cases here need
MediaPipe to find someone. The person comes from ``../shared/media`` (the Warrior II photo or
frames of a real clip), read at test time and never copied into the repository: callers take
the ``shared_media`` fixture, which skips where that folder is absent.

Frames are kept small (a few hundred pixels) so encoding and pose estimation stay fast.

Example::

    person = load_photo(shared_media / WARRIOR, max_side_px=400)
    frames = [place_on_canvas(person, 480, 320)] * 6
    path = write_video(tmp_path / "still.mp4", frames, fps=25)
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
from media_factory import encode_frames
from PIL import Image

from posture.source import open_media

WARRIOR = "warrior2_front_mediapipe.jpg"
WALK_OUTDOOR = "walk_side_outdoor_sports2d.mp4"

# The encoders ``write_video`` knows, with the pixel format each needs.
PIX_FMT = {
    "libx264": "yuv420p", "libx265": "yuv420p", "libvpx-vp9": "yuv420p",
    "mjpeg": "yuvj420p", "mpeg4": "yuv420p",
}


def load_photo(path: Path, max_side_px: int = 400) -> np.ndarray:
    """RGB array of a photo, its long side shrunk to ``max_side_px``."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        image.thumbnail((max_side_px, max_side_px), Image.Resampling.LANCZOS)
        return np.asarray(image).copy()


def clip_frames(path: Path, *, start_s: float = 0.0, n_frames: int = 10,
                max_side_px: int = 480) -> tuple[list[np.ndarray], float]:
    """``n_frames`` consecutive upright frames of a real clip from ``start_s``, and its fps."""
    frames: list[np.ndarray] = []
    with open_media(path, max_side_px=max_side_px) as media:
        fps = media.info.fps or 30.0
        for frame in media:
            if frame.t_s + 1e-6 < start_s:
                continue
            frames.append(frame.image_rgb)
            if len(frames) == n_frames:
                break
    return frames, fps


def even_size(image: np.ndarray) -> np.ndarray:
    """Crop one pixel row/column if needed: 4:2:0 encoders need even sizes."""
    h, w = image.shape[:2]
    return np.ascontiguousarray(image[: h - h % 2, : w - w % 2])


def place_on_canvas(person: np.ndarray, width_px: int, height_px: int, *,
                    x_px: int | None = None, background: int = 90) -> np.ndarray:
    """``person`` pasted on a plain grey canvas, vertically centred, left edge at ``x_px``
    (centred when None). Parts falling outside the canvas are cut off."""
    canvas = np.full((height_px, width_px, 3), background, np.uint8)
    ph, pw = person.shape[:2]
    x0 = (width_px - pw) // 2 if x_px is None else x_px
    y0 = (height_px - ph) // 2
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(width_px, x0 + pw), min(height_px, y0 + ph)
    if cx1 > cx0 and cy1 > cy0:
        canvas[cy0:cy1, cx0:cx1] = person[cy0 - y0 : cy1 - y0, cx0 - x0 : cx1 - x0]
    return canvas


def sliding_out(person: np.ndarray, width_px: int, height_px: int,
                n_frames: int) -> list[np.ndarray]:
    """The person moves right from the centre until fully out of the picture."""
    pw = person.shape[1]
    start = (width_px - pw) // 2
    xs = np.linspace(start, width_px + 10, n_frames).round().astype(int)
    return [place_on_canvas(person, width_px, height_px, x_px=int(x)) for x in xs]


def scale_brightness(image: np.ndarray, factor: float, offset: float = 0.0) -> np.ndarray:
    """``image * factor + offset``, clipped: factor 0.03 is near black, offset 240 near white."""
    return np.clip(image.astype(np.float32) * factor + offset, 0, 255).astype(np.uint8)


def write_video(
    path: Path,
    frames: Sequence[np.ndarray],
    *,
    fps: int = 25,
    codec: str = "libx264",
    pts_ms: Sequence[int] | None = None,
    rotation_ccw_deg: int | None = None,
    faststart: bool = False,
) -> Path:
    """Encode RGB frames (all the same size). ``pts_ms`` makes it variable-frame-rate;
    ``rotation_ccw_deg`` writes a display matrix, as phones do (-90: the stored image is
    the upright one turned a quarter counter-clockwise, ``np.rot90(upright, 1)``);
    ``faststart`` puts the MP4 index first, so a truncated copy still decodes."""
    first = even_size(frames[0])
    height_px, width_px = first.shape[:2]
    return encode_frames(
        path, (even_size(image) for image in frames), width_px, height_px, codec=codec,
        pix_fmt=PIX_FMT[codec], fps=fps, pts=pts_ms,
        time_base=Fraction(1, 1000) if pts_ms is not None else None,
        rotation_ccw_deg=rotation_ccw_deg, faststart=faststart,
    )


def write_photo(path: Path, image: np.ndarray, *, exif_orientation: int | None = None) -> Path:
    """Save an RGB array as JPEG/PNG (by suffix), optionally with an EXIF orientation tag."""
    kwargs: dict[str, object] = {}
    if exif_orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif.tobytes()
    if Path(path).suffix.lower() in (".jpg", ".jpeg"):
        kwargs["quality"] = 90
    Image.fromarray(image).save(path, **kwargs)
    return Path(path)
