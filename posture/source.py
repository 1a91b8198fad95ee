"""Reading frames from a video file, a photo, or live camera arrays.

Everything the user hands us goes through here first, so this module is the wall against bad
input: whatever is wrong with a file (missing, empty, a folder, text renamed ``.mp4``, audio only,
truncated, damaged, absurdly large) comes out as one :class:`~posture.errors.InputError` sentence,
never as a PyAV or Pillow exception.

The file type is decided by content, not by extension. Videos are decoded with PyAV (threaded),
one frame at a time, so a long clip never sits in memory; photos with Pillow.

Frames come out upright: phone videos carry a display-matrix rotation and photos an EXIF
orientation, and both are applied here. ``Frame.t_s`` is the real presentation time, so
variable-frame-rate phone videos keep correct timing.

Example::

    with open_media("walk.mp4", max_side_px=960) as src:
        print(src.info.fps, src.info.width_px, src.info.height_px)
        for frame in src:
            ...  # frame.index, frame.t_s, frame.image_rgb (H x W x 3 uint8)
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import queue
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
from PIL import Image, ImageOps

from posture.errors import InputError

# Size limits. The lead may move these into posture/config.py; every function also takes them
# as keyword arguments so callers can override them.
# A person must be at least this many pixels on the short side for pose detection to be useful;
# MediaPipe's detector works on a 224 px input, and below ~64 px a body is a few blobs.
MIN_SIDE_PX = 64
# Photos larger than this on their long side are shrunk on load (memory: a 8192x8192 RGB array is
# already 200 MB); 8K video frames (7680x4320) fit. Pose detection gains nothing from more.
MAX_IMAGE_SIDE_PX = 8192
# How many packets we read looking for the first decodable frame before calling a file damaged.
# Real videos produce a frame within a few packets (B-frame reordering delays it by a handful).
MAX_PACKETS_BEFORE_FIRST_FRAME = 600
# Highest frame rate taken at face value (phones film slow motion at up to 960 fps).
MAX_PLAUSIBLE_FPS = 1000.0
# After the first good frame, this many undecodable packets in a row means the rest is garbage.
MAX_CONSECUTIVE_BAD_PACKETS = 200

VIDEO_EXTENSIONS = (".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv")
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp")

# Clockwise rotation applied to an upright image for each EXIF orientation (mirroring ignored here,
# Pillow's exif_transpose does the full transform; this is only what MediaInfo reports).
_EXIF_ROTATION_DEG = {1: 0, 2: 0, 3: 180, 4: 180, 5: 90, 6: 90, 7: 270, 8: 270}


@dataclass(frozen=True)
class MediaInfo:
    """What a source is. Sizes are upright (after rotation), before any downscaling."""

    kind: Literal["video", "image", "live"]
    width_px: int
    height_px: int
    fps: float | None  # average rate from the container
    duration_s: float | None
    frame_count: int | None  # estimate, may be None
    rotation_deg: int  # clockwise rotation applied to make frames upright: 0, 90, 180 or 270
    codec: str | None
    path: str | None


@dataclass(frozen=True)
class Frame:
    index: int  # 0-based decode order
    t_s: float  # presentation time in seconds from the first frame (VFR safe)
    image_rgb: np.ndarray  # H x W x 3 uint8, upright


# The image of a frame that was decoded but not converted (``MediaSource.frames(convert_if=)``).
NO_IMAGE = np.zeros((0, 0, 3), np.uint8)
NO_IMAGE.flags.writeable = False


def release_free_heap() -> None:
    """Hand memory that C code freed back to the system (glibc's ``malloc_trim``; nothing
    elsewhere). Shrinking frames in the decoder's thread while MediaPipe runs left freed
    buffers resident: 1.6 GB for a one-minute 1768x994 clip whose frames were shrunk and
    thrown away, 0.49 GB when trimmed every 30 frames, at no measurable cost in time."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc
        return None


class DisplayCopies:
    """Small copies of a video's frames, kept while another pass decodes it, so the
    annotated video need not decode the clip a second time.

    Every ``every_nth`` decoded frame (at most ``max_fps`` a second) is shrunk to
    ``max_side_px`` on its long side (even sizes) and kept as YUV 4:2:0, half the bytes of
    RGB. Once the copies would take more than ``max_bytes`` they are all dropped, so a long
    clip costs no memory: ``frames`` then returns None and the caller decodes again.

    >>> copies = DisplayCopies(max_side_px=800, max_fps=30.0, max_bytes=256 * 2**20)
    >>> with open_media("walk.mp4") as media:  # doctest: +SKIP
    ...     for frame in media.frames(copies=copies):
    ...         ...
    >>> [f.index for f in copies.frames(every_nth=2)]  # doctest: +SKIP
    [0, 2, 4, 6]
    """

    # Copies live in blocks this large, not in an array each: a block over glibc's largest
    # mmap threshold (32 MB) is a mapping of its own, handed back at once when dropped.
    BLOCK_BYTES = 64 * 1024 * 1024
    # Every this many copies the heap is trimmed (``release_free_heap``): with blocks and
    # trimming, a one-minute 1768x994 clip with its annotated video peaked at 0.65 GB
    # instead of 1.39 GB (its copies, 260 MB, were dropped after 16 s as too many).
    TRIM_EVERY = 32

    def __init__(self, max_side_px: int, max_fps: float, max_bytes: int) -> None:
        self.max_side_px = max_side_px
        self.max_fps = max_fps
        self.max_bytes = max_bytes
        self.every_nth = 1
        self.complete = False  # the pass that kept them reached the end of the clip
        # (index, t_s, block, offset, shape, quarter turns) of each copy
        self._kept: list[tuple[int, float, int, int, tuple[int, ...], int]] | None = []
        self._blocks: list[np.ndarray] = []
        self._block_used = 0
        self._bytes = 0
        self._expected: int | None = None
        self._worker: threading.Thread | None = None
        self._pending: queue.Queue = queue.Queue()
        self._scaler: Any = None

    def _start(self, fps: float | None, frame_count: int | None = None) -> None:
        """A new pass over a clip of ``frame_count`` frames (None: unknown) begins: forget
        what an earlier one kept."""
        rate = fps or 30.0
        self.every_nth = max(1, math.ceil(rate / self.max_fps - 1e-6))
        self.complete = False
        self._drop()
        self._kept = []
        self._expected = math.ceil(frame_count / self.every_nth) if frame_count else None

    def _drop(self) -> None:
        had_copies = bool(self._kept)
        self._kept = None
        self._blocks = []
        self._block_used = 0
        self._bytes = 0
        if had_copies:
            release_free_heap()

    def _add(self, index: int, t_s: float, decoded: Any) -> None:
        """Called by the decoder for every decoded frame; the copy is made in a thread of
        its own, so the decoder (which the pose pass waits for) goes on at once."""
        if self._kept is None or index % self.every_nth:
            return
        if self._worker is None:
            self._pending = queue.Queue(maxsize=4)
            self._worker = threading.Thread(target=self._copy_pending, daemon=True)
            self._worker.start()
        self._pending.put((index, t_s, decoded))

    def _end(self, reached_end: bool) -> None:
        """The pass is over: wait for the last copies; they serve only if it reached the
        end of the clip (or of its duration limit)."""
        if self._worker is not None:
            self._pending.put(None)
            self._worker.join()
            self._worker = None
        self.complete = reached_end
        if not reached_end:
            self._drop()

    def _copy_pending(self) -> None:
        from av.video.reformatter import VideoReformatter

        self._scaler = VideoReformatter()
        while (item := self._pending.get()) is not None:
            if self._kept is not None:
                try:
                    self._copy(*item)
                except Exception:  # noqa: BLE001 - a frame that will not convert: decode again
                    self._drop()

    def _copy(self, index: int, t_s: float, decoded: Any) -> None:
        assert self._kept is not None
        k, stored_w, stored_h = _stored_size(decoded, self.max_side_px)
        stored_w, stored_h = max(2, stored_w - stored_w % 2), max(2, stored_h - stored_h % 2)
        # A scaler of its own: the decoder's thread converts the same frame meanwhile, and
        # two threads sharing the frame's scaler hang.
        yuv = self._scaler.reformat(decoded, width=stored_w, height=stored_h,
                                    format="yuv420p", interpolation="AREA").to_ndarray()
        size = yuv.nbytes
        self._bytes += size
        # A clip known to be too long keeps nothing from its first frame on.
        too_long = self._expected is not None and self._expected * size > self.max_bytes
        if too_long or self._bytes > self.max_bytes or size > self.BLOCK_BYTES:
            self._drop()
            return
        if not self._blocks or self._block_used + size > self.BLOCK_BYTES:
            # np.empty maps pages lazily: memory grows with the copies, not by whole blocks.
            self._blocks.append(np.empty(self.BLOCK_BYTES, np.uint8))
            self._block_used = 0
        block = len(self._blocks) - 1
        self._blocks[block][self._block_used:self._block_used + size] = yuv.reshape(-1)
        self._kept.append((index, t_s, block, self._block_used, yuv.shape, k))
        self._block_used += size
        if len(self._kept) % self.TRIM_EVERY == 0:
            release_free_heap()

    def frames(self, every_nth: int = 1) -> Iterator[Frame] | None:
        """The kept frames whose index is a multiple of ``every_nth``, as upright RGB
        ``Frame``s; None when they cannot serve: the pass stopped early, the copies did not
        fit, or ``every_nth`` is not a multiple of the step they were kept at."""
        if not self.complete or self._kept is None or every_nth % self.every_nth:
            return None
        return self._iter_frames(self._kept, self._blocks, every_nth)

    @staticmethod
    def _iter_frames(kept: list[tuple[int, float, int, int, tuple[int, ...], int]],
                     blocks: list[np.ndarray], every_nth: int) -> Iterator[Frame]:
        import cv2

        for index, t_s, block, offset, shape, k in kept:
            if index % every_nth:
                continue
            size = shape[0] * shape[1]
            yuv = blocks[block][offset:offset + size].reshape(shape)
            rgb = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)
            if k:
                rgb = np.ascontiguousarray(np.rot90(rgb, k=k))
            yield Frame(index=index, t_s=t_s, image_rgb=rgb)


# ----------------------------------------------------------------------------- sniffing


def _name(path: Path) -> str:
    return path.name or str(path)


def _sniff(head: bytes) -> str:
    """Return 'image', 'heic', 'container', 'text' or 'other' from a file's first bytes."""
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"BM") or head[:6] in (b"GIF87a", b"GIF89a"):
        return "image"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        return "heic"
    if _looks_like_video_container(head):
        return "container"
    if _looks_like_text(head):
        return "text"
    return "other"


def _looks_like_video_container(head: bytes) -> bool:
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")  # MP4 / MOV
        or head.startswith(b"\x1a\x45\xdf\xa3")  # Matroska / WebM
        or (head.startswith(b"RIFF") and head[8:12] == b"AVI ")
    )


def _looks_like_text(head: bytes) -> bool:
    # Every video container header holds binary sizes with zero bytes; text never does.
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * max(len(text), 1)


def _check_path(path: str | os.PathLike[str]) -> tuple[Path, str]:
    """Check the path exists and is a non-empty readable file; return it with its sniffed type."""
    p = Path(path)
    name = _name(p)
    if not p.exists():
        raise InputError(f"No such file: {p}; check the path and the file name.")
    if p.is_dir():
        raise InputError(f"{name} is a folder, not a video or photo; choose a file inside it.")
    if not p.is_file():
        raise InputError(f"{name} is not a regular file; choose a video or photo file.")
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(4096)
    except PermissionError as exc:
        raise InputError(
            f"{name} cannot be read (permission denied); check its access rights."
        ) from exc
    except OSError as exc:
        raise InputError(f"{name} cannot be read ({exc.strerror or exc}).") from exc
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes); choose the video or photo again.")
    return p, _sniff(head)


def _not_readable(name: str, kind: str) -> InputError:
    hint = " (it looks like text/HTML)" if kind == "text" else ""
    return InputError(
        f"{name} is not a video or photo this program can read{hint}; "
        "use an MP4, MOV, AVI, WEBM or MKV video, or a JPG, PNG, WEBP or BMP photo."
    )


def _damaged(name: str) -> InputError:
    return InputError(
        f"{name} contains no decodable frame; it may be damaged or truncated — "
        "export it again from your phone or camera."
    )


def _too_small(width_px: int, height_px: int, what: str, min_side_px: int) -> InputError:
    return InputError(
        f"The {what} is {width_px}x{height_px} pixels; a person needs at least {min_side_px} "
        f"pixels on each side of the picture to be found — use a larger {what}."
    )


# ----------------------------------------------------------------------------- geometry


def _fit_size(width_px: int, height_px: int, max_side_px: int | None) -> tuple[int, int]:
    """Size with the long side at most max_side_px, keeping the aspect ratio."""
    long_side = max(width_px, height_px)
    if not max_side_px or long_side <= max_side_px:
        return width_px, height_px
    scale = max_side_px / long_side
    return max(1, round(width_px * scale)), max(1, round(height_px * scale))


def _rotation_k(rotation_ccw_deg: float) -> int:
    """np.rot90 k (counter-clockwise quarter turns) for a display-matrix rotation."""
    return int(round(rotation_ccw_deg / 90.0)) % 4


# ----------------------------------------------------------------------------- video


def _open_container(path: Path, name: str, kind: str) -> Any:
    try:
        return av.open(str(path), mode="r", metadata_errors="ignore")
    except Exception as exc:  # noqa: BLE001 - any PyAV failure means "cannot read this file"
        if kind == "container":
            # A recognised video container that will not open is damaged, typically an MP4
            # cut short before its index ("moov atom") was written.
            raise _damaged(name) from exc
        raise _not_readable(name, kind) from exc


def _video_stream(container: Any, name: str, kind: str) -> Any:
    streams = [
        s for s in container.streams.video
        if not (s.disposition & av.stream.Disposition.attached_pic)
    ]
    if streams:
        return streams[0]
    if container.streams.audio:
        return None  # caller reports "audio only"
    if kind == "container":
        raise _damaged(name)
    raise _not_readable(name, kind)


def _stream_rate(stream: Any) -> float | None:
    for rate in (stream.average_rate, stream.guessed_rate, stream.base_rate):
        # Above ~1000 fps a "rate" is a container time base (e.g. WebM's 1/1000), not a rate.
        if rate and 0 < float(rate) <= MAX_PLAUSIBLE_FPS and math.isfinite(float(rate)):
            return float(rate)
    return None


def _codec_name(stream: Any) -> str | None:
    # The format's name ("av1"), not the decoder's ("libdav1d").
    codec = stream.codec_context.codec
    return getattr(codec, "canonical_name", None) or codec.name


def _stream_duration_s(container: Any, stream: Any) -> float | None:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration and container.duration > 0:
        return container.duration / av.time_base
    return None


def _count_packets(path: Path, fps: float | None) -> tuple[int, float] | None:
    """(frames, duration in seconds) of the first video stream, read from its packets
    without decoding; None when they do not say."""
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            if not stream.time_base:
                return None
            count, first, last = 0, None, None
            for packet in container.demux(stream):
                if packet.pts is None or packet.size == 0:
                    continue
                count += 1
                first = packet.pts if first is None else min(first, packet.pts)
                last = packet.pts if last is None else max(last, packet.pts)
            if not count or first is None or last is None:
                return None
            step_s = 1.0 / fps if fps else 0.0
            return count, float((last - first) * stream.time_base) + step_s
    except Exception:  # noqa: BLE001 - an unreadable index just means "unknown"
        return None


def _iter_decoded(container: Any, stream: Any) -> Iterator[Any]:
    """Decoded frames of one stream, skipping damaged packets and corrupt frames.

    Stops cleanly at end of file or when the remainder is unreadable (truncated files).
    """
    bad_run = 0
    seen_frame = False
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except Exception:  # noqa: BLE001 - demuxer hit a truncated/garbage tail: stop here
            break
        if packet.size == 0:
            break  # end-of-stream marker; the flush below drains the decoder
        try:
            frames = packet.decode()
        except Exception:  # noqa: BLE001 - one bad packet; skip it
            bad_run += 1
            limit = MAX_CONSECUTIVE_BAD_PACKETS if seen_frame else MAX_PACKETS_BEFORE_FIRST_FRAME
            if bad_run > limit:
                break
            continue
        if not frames:
            if not seen_frame and packet.size:
                bad_run += 1
                if bad_run > MAX_PACKETS_BEFORE_FIRST_FRAME:
                    break
            continue
        for frame in frames:
            if getattr(frame, "is_corrupt", False):
                continue
            bad_run = 0
            seen_frame = True
            yield frame
    # Drain frames the decoder still holds (B-frame reordering, frame threads), also when the
    # file ended early without the demuxer's end-of-stream packet.
    try:
        remaining = stream.codec_context.decode(None)
    except Exception:  # noqa: BLE001 - a decoder that cannot flush has nothing more to give
        remaining = []
    for frame in remaining:
        if not getattr(frame, "is_corrupt", False):
            yield frame


def _frame_rotation_ccw(frame: Any) -> float:
    try:
        return float(frame.rotation or 0)
    except Exception:  # noqa: BLE001 - malformed side data: treat as not rotated
        return 0.0


def _probe_video(path: Path, name: str, kind: str, min_side_px: int) -> MediaInfo:
    container = _open_container(path, name, kind)
    try:
        stream = _video_stream(container, name, kind)
        if stream is None:
            raise InputError(
                f"{name} has no video track (audio only); choose a video with a picture."
            )
        first = next(_iter_decoded(container, stream), None)
        if first is None:
            raise _damaged(name) if kind == "container" else _not_readable(name, kind)
        k = _rotation_k(_frame_rotation_ccw(first))
        width_px, height_px = first.width, first.height
        if k % 2:
            width_px, height_px = height_px, width_px
        if min(width_px, height_px) < min_side_px:
            raise _too_small(width_px, height_px, "video", min_side_px)
        fps = _stream_rate(stream)
        duration_s = _stream_duration_s(container, stream)
        frame_count: int | None = stream.frames or None
        if duration_s is None:
            # WebM recorded in a browser states no duration; its packets tell it (reading
            # them without decoding takes milliseconds a minute of video).
            frame_count, duration_s = _count_packets(path, fps) or (frame_count, None)
        if frame_count is None and fps and duration_s:
            frame_count = max(1, round(fps * duration_s))
        return MediaInfo(
            kind="video",
            width_px=width_px,
            height_px=height_px,
            fps=fps,
            duration_s=duration_s,
            frame_count=frame_count,
            rotation_deg=(-90 * k) % 360,
            codec=_codec_name(stream),
            path=str(path),
        )
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - never let a PyAV error escape
        # Without a known container signature we cannot tell damage from random bytes
        # (FFmpeg guesses a demuxer from the extension), so only known containers are "damaged".
        raise (_damaged(name) if kind == "container" else _not_readable(name, kind)) from exc
    finally:
        container.close()


# ----------------------------------------------------------------------------- images


def _open_image(path: Path, name: str) -> Image.Image:
    try:
        with warnings.catch_warnings():
            # Large photos (> 89 Mpx) warn; we downscale them, so the warning is noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(path)
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        megapixels = f" ({int(found.group(1)) / 1e6:.0f} megapixels)" if found else ""
        raise InputError(
            f"{name} is far too large to open safely{megapixels}; "
            f"resize it to at most {MAX_IMAGE_SIDE_PX} pixels on the long side."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - unreadable/unknown image data
        raise _not_readable(name, "other") from exc


def _exif_orientation(img: Image.Image) -> int:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Corrupt EXIF data" warnings: handled below
            orientation = int(img.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - broken EXIF: use the pixels as stored
        return 1
    return orientation if orientation in _EXIF_ROTATION_DEG else 1


def _probe_image(path: Path, name: str, min_side_px: int) -> MediaInfo:
    img = _open_image(path, name)
    with img:
        orientation = _exif_orientation(img)
        width_px, height_px = img.size
        if orientation in (5, 6, 7, 8):
            width_px, height_px = height_px, width_px
        if min(width_px, height_px) < min_side_px:
            raise _too_small(width_px, height_px, "image", min_side_px)
        return MediaInfo(
            kind="image",
            width_px=width_px,
            height_px=height_px,
            fps=None,
            duration_s=None,
            frame_count=1,
            rotation_deg=_EXIF_ROTATION_DEG.get(orientation, 0),
            codec=img.format,
            path=str(path),
        )


def _load_image_rgb(path: Path, name: str, max_side_px: int) -> np.ndarray:
    img = _open_image(path, name)
    try:
        with img:
            orientation = _exif_orientation(img)
            # JPEG can decode at 1/2, 1/4, 1/8 scale directly: fast and memory-safe for 8K photos.
            w, h = img.size
            if orientation in (5, 6, 7, 8):
                w, h = h, w
            target = _fit_size(w, h, max_side_px)
            if target != (w, h) and img.format == "JPEG":
                draft_size = (target[1], target[0]) if orientation in (5, 6, 7, 8) else target
                img.draft("RGB", draft_size)
            img.load()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                upright = ImageOps.exif_transpose(img) if orientation != 1 else img
            if upright.mode != "RGB":
                upright = _to_rgb(upright)
            if max(upright.size) > max_side_px:
                upright = upright.resize(
                    _fit_size(*upright.size, max_side_px), Image.Resampling.LANCZOS
                )
            array = np.asarray(upright, dtype=np.uint8)
    except InputError:
        raise
    except MemoryError as exc:
        raise InputError(
            f"{name} is too large to load in memory; resize it to at most "
            f"{MAX_IMAGE_SIDE_PX} pixels on the long side."
        ) from exc
    except Exception as exc:  # noqa: BLE001 - truncated or damaged image data
        raise InputError(
            f"{name} could not be decoded; the photo may be damaged or truncated — "
            "save or export it again."
        ) from exc
    return np.ascontiguousarray(array)


def _to_rgb(img: Image.Image) -> Image.Image:
    # Transparent pixels become white rather than black, like an image viewer shows them.
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale PNG: scale to 8 bit instead of clipping.
        array = np.asarray(img, dtype=np.float64)
        peak = array.max() or 1.0
        return Image.fromarray((array * (255.0 / peak)).astype(np.uint8)).convert("RGB")
    return img.convert("RGB")


# ----------------------------------------------------------------------------- public API


def probe(
    path: str | os.PathLike[str],
    *,
    min_side_px: int = MIN_SIDE_PX,
) -> MediaInfo:
    """Describe a video or photo, decoding at most its first frame. Raises InputError.

    >>> probe("missing.mp4")
    Traceback (most recent call last):
    posture.errors.InputError: No such file: missing.mp4; check the path and the file name.
    """
    p, kind = _check_path(path)
    name = _name(p)
    if kind == "heic":
        raise InputError(
            f"{name} is a HEIC/AVIF photo, which this program cannot read; "
            "export it as JPG or PNG (or set the camera to 'Most compatible')."
        )
    if kind == "image":
        return _probe_image(p, name, min_side_px)
    if kind == "text":
        raise _not_readable(name, kind)
    return _probe_video(p, name, kind, min_side_px)


class MediaSource:
    """An opened video or photo. Iterate it (or call :meth:`frames`) for upright frames.

    Frames are decoded lazily, one at a time. ``stopped_at_limit`` becomes True when iteration
    stopped because of ``max_duration_s``, so the caller can tell the user.
    """

    def __init__(
        self,
        path: Path,
        info: MediaInfo,
        *,
        max_side_px: int | None,
        max_duration_s: float | None,
        max_image_side_px: int = MAX_IMAGE_SIDE_PX,
    ) -> None:
        self.path = path
        self.info = info
        self.max_side_px = max_side_px
        self.max_duration_s = max_duration_s
        self.max_image_side_px = max_image_side_px
        self.stopped_at_limit = False
        self._open_iterators: list[Iterator[Frame]] = []
        self._closed = False

    def __enter__(self) -> MediaSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Frame]:
        return self.frames()

    def close(self) -> None:
        """Release any decoder still open (safe to call twice)."""
        self._closed = True
        for iterator in self._open_iterators:
            close = getattr(iterator, "close", None)
            if close is not None:
                # ValueError: it runs in a prefetch thread, which sees ``_closed`` at its
                # next frame and stops there (raising would hide the error that got us here).
                with contextlib.suppress(ValueError):
                    close()
        self._open_iterators.clear()

    def frames(
        self, *, max_side_px: int | None = None, every_nth: int = 1,
        keyframes_only: bool = False, convert_if: Callable[[float], bool] | None = None,
        for_display: bool = False, copies: DisplayCopies | None = None,
        first_index: int = 0, stop_index: int | None = None,
    ) -> Iterator[Frame]:
        """Yield upright frames; the long side is shrunk to ``max_side_px`` when given.

        ``every_nth`` keeps every n-th decoded frame (index stays the decode index, so
        ``index`` and ``t_s`` still say where in the clip a frame comes from).
        ``keyframes_only`` decodes nothing but the keyframes (a quick look through a long
        video; ``index`` is then estimated from the time and the frame rate).
        ``convert_if(t_s)``: frames for which it is False skip the conversion to RGB and come
        with an empty (0 x 0 x 3) image, for passes that need only their index and time.
        ``for_display``: shrink before converting to RGB, which takes half the time and
        differs from the usual conversion by one to three grey levels; for pictures people look
        at (the annotated video), never for what MediaPipe measures.
        ``copies`` keeps small copies of the decoded frames for the annotated video
        (:class:`DisplayCopies`), whichever frames this pass converts.
        ``first_index``/``stop_index``: only frames whose decode index lies in
        ``[first_index, stop_index)`` are converted and yielded (one stretch of the clip for
        one of several pose graphs, ``posture.parallel``). The frames before are decoded, not
        converted; after ``stop_index`` decoding stops, unless ``copies`` wants every frame.
        """
        if every_nth < 1:
            raise ValueError("every_nth must be >= 1")
        if self._closed:
            raise ValueError("MediaSource is closed")
        side = max_side_px if max_side_px is not None else self.max_side_px
        if self.info.kind == "image":
            iterator = self._image_frames(side)
        else:
            iterator = self._video_frames(side, every_nth, keyframes_only, convert_if,
                                          for_display, copies, (first_index, stop_index))
        self._open_iterators.append(iterator)
        return iterator

    def max_keyframe_gap_s(self) -> float | None:
        """Longest time between two keyframes (or the last one and the end), read from the
        packets without decoding; None for photos or when the file does not say."""
        if self.info.kind != "video":
            return None
        name = _name(self.path)
        container = _open_container(self.path, name, "other")
        try:
            stream = _video_stream(container, name, "other")
            if stream is None or not stream.time_base:
                return None
            keys: list[int] = []
            last_pts: int | None = None
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                last_pts = packet.pts if last_pts is None else max(last_pts, packet.pts)
                if packet.is_keyframe:
                    keys.append(packet.pts)
            if not keys or last_pts is None:
                return None
            keys.sort()
            gaps = [b - a for a, b in zip(keys, keys[1:] + [last_pts], strict=True)]
            return float(max(gaps) * stream.time_base)
        except Exception:  # noqa: BLE001 - a damaged index just means "unknown"
            return None
        finally:
            container.close()

    # -- images

    def _image_frames(self, max_side_px: int | None) -> Iterator[Frame]:
        limit = min(max_side_px or self.max_image_side_px, self.max_image_side_px)
        image = _load_image_rgb(self.path, _name(self.path), limit)
        yield Frame(index=0, t_s=0.0, image_rgb=image)

    # -- videos

    def _video_frames(
        self, max_side_px: int | None, every_nth: int, keyframes_only: bool = False,
        convert_if: Callable[[float], bool] | None = None, for_display: bool = False,
        copies: DisplayCopies | None = None,
        index_range: tuple[int, int | None] = (0, None),
    ) -> Iterator[Frame]:
        self.stopped_at_limit = False
        delivered = 0
        for frame in self._video_pass(max_side_px, every_nth, threaded=True,
                                      keyframes_only=keyframes_only, convert_if=convert_if,
                                      for_display=for_display, copies=copies,
                                      index_range=index_range):
            delivered += 1
            yield frame
        if delivered == 0 and not self.stopped_at_limit and index_range == (0, None):
            # Frame-threaded decoding reports a damaged packet on a later frame and can lose
            # the few good frames of a badly truncated file; one plain pass recovers them.
            for frame in self._video_pass(max_side_px, every_nth, threaded=False,
                                          keyframes_only=keyframes_only,
                                          convert_if=convert_if, for_display=for_display,
                                          copies=copies, index_range=index_range):
                delivered += 1
                yield frame
        if delivered == 0 and not self.stopped_at_limit and index_range == (0, None):
            raise _damaged(_name(self.path))

    def _video_pass(
        self, max_side_px: int | None, every_nth: int, *, threaded: bool,
        keyframes_only: bool = False, convert_if: Callable[[float], bool] | None = None,
        for_display: bool = False, copies: DisplayCopies | None = None,
        index_range: tuple[int, int | None] = (0, None),
    ) -> Iterator[Frame]:
        name = _name(self.path)
        first_index, stop_index = index_range
        container = _open_container(self.path, name, "other")
        try:
            stream = _video_stream(container, name, "other")
            if stream is None:
                raise InputError(f"{name} has no video track (audio only).")
            if threaded:
                stream.thread_type = "AUTO"
            if keyframes_only:
                stream.codec_context.skip_frame = "NONKEY"
            time_base = stream.time_base or Fraction(1, 1)
            fallback_step_s = 1.0 / (self.info.fps or 30.0)
            first_pts: int | None = None
            last_t_s: float | None = None
            index = -1
            reached_end = False
            if copies is not None and not keyframes_only:
                copies._start(self.info.fps, self.info.frame_count)
            else:
                copies = None
            for decoded in _iter_decoded(container, stream):
                if self._closed:
                    return
                index += 1
                t_s = self._timestamp(decoded, time_base, first_pts, last_t_s, fallback_step_s)
                if first_pts is None and decoded.pts is not None:
                    first_pts = decoded.pts
                    t_s = 0.0
                last_t_s = t_s
                if self.max_duration_s is not None and t_s > self.max_duration_s + 1e-9:
                    self.stopped_at_limit = True
                    break
                if copies is not None:
                    copies._add(index, t_s, decoded)
                if stop_index is not None and index >= stop_index:
                    if copies is None:
                        break
                    continue
                if index % every_nth or index < first_index:
                    continue
                if convert_if is not None and not convert_if(t_s):
                    yield Frame(index=index, t_s=t_s, image_rgb=NO_IMAGE)
                    continue
                try:
                    image = _to_upright_rgb(decoded, max_side_px, for_display)
                except Exception:  # noqa: BLE001 - a frame that will not convert is skipped
                    continue
                frame_index = round(t_s / fallback_step_s) if keyframes_only else index
                yield Frame(index=frame_index, t_s=t_s, image_rgb=image)
            reached_end = True
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - never let a PyAV error escape
            reached_end = True  # a failure late in the file is treated like its end
        finally:
            if copies is not None:
                copies._end(reached_end)
            container.close()

    @staticmethod
    def _timestamp(
        decoded: Any,
        time_base: Fraction,
        first_pts: int | None,
        last_t_s: float | None,
        fallback_step_s: float,
    ) -> float:
        """Seconds from the first frame; strictly increasing even when pts are broken."""
        if decoded.pts is not None and first_pts is not None:
            t_s = float((decoded.pts - first_pts) * time_base)
        elif last_t_s is None:
            t_s = 0.0
        else:
            t_s = last_t_s + fallback_step_s
        if last_t_s is not None and t_s <= last_t_s:
            # Missing or repeated timestamps: keep time moving at the nominal rate.
            t_s = last_t_s + fallback_step_s
        return t_s


def _stored_size(decoded: Any, max_side_px: int | None) -> tuple[int, int, int]:
    """(quarter turns to make the frame upright, width, height to scale the stored frame
    to) so that, once upright, its long side is at most ``max_side_px``."""
    k = _rotation_k(_frame_rotation_ccw(decoded))
    upright_w, upright_h = ((decoded.height, decoded.width) if k % 2
                            else (decoded.width, decoded.height))
    target_w, target_h = _fit_size(upright_w, upright_h, max_side_px)
    return (k, target_h, target_w) if k % 2 else (k, target_w, target_h)


def _to_upright_rgb(decoded: Any, max_side_px: int | None,
                    for_display: bool = False) -> np.ndarray:
    k, stored_w, stored_h = _stored_size(decoded, max_side_px)
    if (stored_w, stored_h) == (decoded.width, decoded.height):
        array = decoded.to_ndarray(format="rgb24")
    elif for_display and decoded.format.name == "yuv420p":
        # Shrinking the planes first converts a quarter of the pixels or fewer to RGB
        # (1.4 instead of 2.6 ms a frame, 1768x994 to 800x450).
        array = decoded.reformat(
            width=stored_w, height=stored_h, format="yuv420p", interpolation="AREA"
        ).to_ndarray(format="rgb24")
    else:
        # Scaling inside swscale is far faster than decoding full size and resizing in numpy.
        array = decoded.to_ndarray(
            width=stored_w, height=stored_h, format="rgb24", interpolation="AREA"
        )
    if k:
        array = np.rot90(array, k=k)
    return np.ascontiguousarray(array)


def prefetch(frames: Iterable[Frame], size: int = 4) -> Iterator[Frame]:
    """Decode ahead in a thread, so decoding overlaps inference (both release the GIL).

    At most ``size`` frames wait in between, so memory stays flat however long the video.
    Errors raised while decoding come out of the consumer's loop.
    """
    q: queue.Queue = queue.Queue(maxsize=size)
    done = object()
    stop = threading.Event()

    def produce() -> None:
        try:
            for frame in frames:
                if stop.is_set():
                    return
                q.put(frame)
            q.put(done)
        except BaseException as err:  # handed to the consumer, which re-raises it
            q.put(err)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)


def open_media(
    path: str | os.PathLike[str],
    *,
    max_side_px: int | None = None,
    max_duration_s: float | None = None,
    min_side_px: int = MIN_SIDE_PX,
    max_image_side_px: int = MAX_IMAGE_SIDE_PX,
) -> MediaSource:
    """Open a video or photo (type found from its content). Raises InputError on bad input.

    ``max_side_px`` shrinks frames (long side) while decoding; ``max_duration_s`` stops a
    video at that time (``source.stopped_at_limit`` tells whether it did).
    """
    info = probe(path, min_side_px=min_side_px)
    return MediaSource(
        Path(path),
        info,
        max_side_px=max_side_px,
        max_duration_s=max_duration_s,
        max_image_side_px=max_image_side_px,
    )


def live_info(width_px: int, height_px: int, fps: float | None = None) -> MediaInfo:
    """MediaInfo for a live camera stream."""
    return MediaInfo(
        kind="live",
        width_px=int(width_px),
        height_px=int(height_px),
        fps=fps,
        duration_s=None,
        frame_count=None,
        rotation_deg=0,
        codec=None,
        path=None,
    )


def frame_from_array(
    image: np.ndarray,
    index: int = 0,
    t_s: float = 0.0,
    *,
    channel_order: Literal["rgb", "bgr"] = "rgb",
) -> Frame:
    """Wrap a camera image (H x W x 3 RGB/BGR, H x W x 4, or H x W grey) as a Frame.

    The pixels are copied, because camera callbacks often reuse their buffer.

    >>> frame_from_array(np.zeros((480, 640, 3), np.uint8), index=5, t_s=0.2).image_rgb.shape
    (480, 640, 3)
    """
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4) or min(array.shape[:2]) < 1:
        raise InputError(
            f"A camera frame must be a height x width x 3 colour image, got shape {array.shape}."
        )
    array = array[:, :, :3]
    if array.dtype != np.uint8:
        if np.issubdtype(array.dtype, np.floating) and array.size and float(array.max()) <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    if channel_order == "bgr":
        array = array[:, :, ::-1]
    return Frame(index=int(index), t_s=float(t_s), image_rgb=np.ascontiguousarray(array))
