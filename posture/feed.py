"""Stages 1-3 plumbing: which frames reach MediaPipe, decoded how many times, at what size.

``open_frames`` plans the pose pass for a path, an image array or camera frames. For a video
it first scans for the subject (``subject.scan_for_subject``), then decides once, before the
pose pass decodes anything, which frames it reads and at what size (a ``FramePlan``): a
short clip is decoded once, its frames kept from the scan for the pose pass; a clip whose
subject stands still is analysed at ``Config.standing_analysis_fps``; a person too small
for MediaPipe to find in the whole frame is looked for in tiles and followed in a crop
(``subject.tiled_search_reason``; photos: ``subject.scan_photo``). A plan can be read in
stretches (``FramePlan.open``), one per pose graph (``posture.parallel``). None of this
changes what is measured (bench/README.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .config import Config
from .errors import InputError
from .source import (
    DisplayCopies,
    Frame,
    MediaInfo,
    frame_from_array,
    live_info,
    open_media,
    prefetch,
    probe,
)
from .subject import SubjectPlan, link_tracks, scan_for_subject, scan_photo


def _prefetch(frames: Iterable[Frame], size: int = 4) -> Iterator[Frame]:
    """Decode ahead in a thread, so decoding overlaps inference (``source.prefetch``)."""
    return prefetch(frames, size)


class FrameReader:
    """One read of a ``FramePlan``: iterate it for frames, then ``close`` it (which stops
    its decoder). ``stopped_at_limit`` says the read stopped at ``max_duration_s``."""

    def __init__(self, frames: Iterable[Frame], media: Any = None,
                 stopped_at_limit: bool = False) -> None:
        self._frames = frames
        self._media = media
        self._stopped = stopped_at_limit

    def __iter__(self) -> Iterator[Frame]:
        return iter(self._frames)

    @property
    def stopped_at_limit(self) -> bool:
        return self._stopped or bool(getattr(self._media, "stopped_at_limit", False))

    def close(self) -> None:
        # The frames first (a decoder thread stops), then the media behind them.
        close_frames = getattr(self._frames, "close", None)
        if close_frames is not None:
            close_frames()
        if self._media is not None:
            self._media.close()
        self._frames = ()


@dataclass
class FramePlan:
    """Which frames the pose pass reads and at what size, decided before it decodes any:
    frames already decoded (``kept``: by the subject scan, or a photo or camera frames), or
    a decode of the file at ``path``."""

    kept: list[Frame] | None = None
    path: str | Path | None = None
    max_side_px: int | None = None
    max_duration_s: float | None = None
    every_nth: int = 1
    # Frames for which it is False (the subject out of view) are decoded, not converted.
    convert_if: Callable[[float], bool] | None = None
    # How many frames the file holds, by its header (0: unknown); it only balances the
    # stretches of a split pass, never decides which frames are read.
    frame_count: int = 0
    kept_stopped_at_limit: bool = False

    @property
    def expected_frames(self) -> int:
        """How many frames the pass will analyse, as far as is known before reading."""
        if self.kept is not None:
            return len(self.kept)
        return -(-self.frame_count // self.every_nth) if self.frame_count else 0

    def index_of(self, position: int) -> int:
        """The decode index of the ``position``-th analysed frame (as planned)."""
        if self.kept is not None:
            return self.kept[position].index if position < len(self.kept) else (
                self.kept[-1].index + 1 if self.kept else 0)
        return position * self.every_nth

    def open(self, first_index: int = 0, stop_index: int | None = None,
             copies: DisplayCopies | None = None) -> FrameReader:
        """The planned frames whose decode index lies in ``[first_index, stop_index)``,
        decoded ahead in a thread. ``copies`` (video files) keeps small copies of every
        decoded frame for the annotated video."""
        if self.kept is not None:
            frames = [f for f in self.kept if f.index >= first_index
                      and (stop_index is None or f.index < stop_index)]
            return FrameReader(frames, None, self.kept_stopped_at_limit)
        media = open_media(self.path, max_side_px=self.max_side_px,
                           max_duration_s=self.max_duration_s)
        return FrameReader(_prefetch(media.frames(
            every_nth=self.every_nth, convert_if=self.convert_if, copies=copies,
            first_index=first_index, stop_index=stop_index)), media)


@dataclass
class Opened:
    """What the pose pass reads: ``frames``, planned for the subject in ``plan``."""

    info: MediaInfo
    frames: FramePlan
    mode: str  # "image" | "video"
    plan: SubjectPlan | None
    every_nth: int = 1
    # Small copies of the frames for the annotated video, kept by the decoder that feeds
    # the pose pass (None when no annotated video is wanted).
    copies: DisplayCopies | None = None
    # Set by the pose pass: it stopped at ``Config.max_duration_s``.
    stopped_at_limit: bool = field(default=False)


class _KeepFrames:
    """Passes frames through and keeps them while they fit in ``max_bytes`` (then drops
    them all: ``frames`` becomes None)."""

    def __init__(self, frames: Iterable[Frame], max_bytes: int) -> None:
        self._source = frames
        self.max_bytes = max_bytes
        self.frames: list[Frame] | None = []
        self.complete = False

    def __iter__(self) -> Iterator[Frame]:
        used = 0
        for frame in self._source:
            if self.frames is not None:
                used += frame.image_rgb.nbytes
                if used > self.max_bytes:
                    self.frames = None
                else:
                    self.frames.append(frame)
            yield frame
        self.complete = self.frames is not None


def _decode_plan(source: Any, info: MediaInfo, plan: SubjectPlan | None, config: Config,
                 every_nth: int) -> FramePlan:
    """The pose pass decodes the file (again): at the inference size over whole frames, or
    larger around a subject followed in a crop, converting only their time in view."""
    following = plan is not None and plan.track is not None
    convert_if = None
    if following:
        w, h = info.width_px, info.height_px

        def convert_if(t_s: float) -> bool:
            # Outside the subject's time in view nothing is cropped, so nothing converted.
            return plan.crop_box(t_s, w, h) is not None

    return FramePlan(
        path=source,
        max_side_px=(config.speed.crop_decode_max_side_px if following
                     else config.pose.inference_max_side_px),
        max_duration_s=config.max_duration_s, every_nth=every_nth, convert_if=convert_if,
        frame_count=info.frame_count or 0,
    )


def _standing_step(info: MediaInfo, config: Config) -> int:
    """Every how many frames a quiet standing clip is analysed: down to
    ``config.standing_analysis_fps``, but never below the rate the low-pass filter needs
    (``measurements.lowpass_zero_lag`` leaves landmarks unfiltered under cutoff / 0.45:
    13.3 fps for 6 Hz), so the values stay those of the full-rate analysis. 1 for clips
    too short to bother."""
    target = config.standing_analysis_fps
    if not target or target <= 0 or (info.duration_s or 0.0) < config.speed.quiet_min_duration_s:
        return 1
    rate = max(target, config.filter.cutoff_hz / 0.45 * 1.01)
    return max(1, int((info.fps or 0.0) // rate))


def _analysis_step(info: MediaInfo, plan: SubjectPlan, samples: list, config: Config) -> int:
    """Every how many frames the pose pass analyses: 1, or ``_standing_step`` when the
    scan saw someone standing still."""
    step = _standing_step(info, config)
    if step == 1:
        return 1
    if plan.track is not None:
        subject = plan.track
    else:
        tracks = link_tracks(samples)
        if not tracks:
            return 1
        subject = max(tracks, key=lambda t: t.presence_px)
    sightings = subject.sightings
    if len(sightings) < 4 or len(sightings) < config.speed.quiet_min_sample_share * len(samples):
        return 1
    centres = np.array([s.centre_px for s in sightings])
    heights = np.array([s.height_px for s in sightings])
    height = float(np.median(heights))
    if height <= 0:
        return 1
    shift = np.linalg.norm(centres - np.median(centres, axis=0), axis=1).max() / height
    size_change = np.abs(np.log(np.maximum(heights, 1e-6) / height)).max()
    speed = config.speed
    if shift > speed.quiet_max_hip_shift_heights or size_change > speed.quiet_max_size_change:
        return 1
    return step


def _open_video(source: str | Path, info: MediaInfo, config: Config,
                copies: DisplayCopies | None) -> Opened:
    """Scan for the subject, then plan the pose pass: the scan's own frames when the clip
    is short enough to keep them (decoded once), else a second decode."""
    side = config.pose.inference_max_side_px
    samples: list = []
    shrink = min(1.0, side / max(info.width_px, info.height_px))
    frame_bytes = info.width_px * info.height_px * 3 * shrink**2
    decode_once = (bool(info.frame_count)
                   and info.frame_count * frame_bytes <= config.speed.decode_once_max_bytes)
    with open_media(source, max_side_px=side, max_duration_s=config.max_duration_s) as media:
        if decode_once:
            kept = _KeepFrames(_prefetch(media.frames(copies=copies)),
                               config.speed.decode_once_max_bytes)
            plan = scan_for_subject(source, info, config, frames=kept, samples=samples)
        else:
            kept = None
            plan = scan_for_subject(source, info, config, samples=samples)
        stopped = media.stopped_at_limit
    step = _analysis_step(info, plan, samples, config)
    if plan.track is None and kept is not None and kept.complete and kept.frames:
        frames = FramePlan(kept=[f for f in kept.frames if f.index % step == 0],
                           kept_stopped_at_limit=stopped)
        return Opened(media.info, frames, "video", plan, step, copies)
    return Opened(media.info, _decode_plan(source, media.info, plan, config, step), "video",
                  plan, step, copies)


def _open_photo(source: Any, info: MediaInfo, frames: list[Frame], config: Config) -> Opened:
    """The pose pass over a photo: over the whole picture, as always when the person is
    found there, or in a crop around a person too small for MediaPipe to find in the whole
    picture (``subject.scan_photo``: one MediaPipe call first, tiles only when needed)."""
    plan = scan_photo(source, info, config, frames)
    opened = Opened(info, FramePlan(kept=frames), "image", None)
    if plan.track is None:
        return opened
    opened.plan = plan
    return reopen_every_frame(source, opened, config)


def open_frames(source: Any, config: Config, copies: DisplayCopies | None = None) -> Opened:
    """The plan of the pose pass, for a path, an image array or frames. ``copies`` (video
    files only) keeps small copies of the decoded frames for the annotated video."""
    if isinstance(source, (str, Path)):
        info = probe(source)
        if info.kind == "video":
            return _open_video(source, info, config, copies)
        with open_media(source, max_side_px=config.pose.inference_max_side_px,
                        max_duration_s=config.max_duration_s) as media:
            frames = list(media)
        return _open_photo(source, media.info, frames, config)
    if isinstance(source, np.ndarray):
        frame = frame_from_array(source)
        h, w = frame.image_rgb.shape[:2]
        info = MediaInfo("image", w, h, None, None, 1, 0, None, None)
        return _open_photo(source, info, [frame], config)
    frames = list(source)
    if not frames:
        raise InputError("No frames were given to analyse.")
    h, w = frames[0].image_rgb.shape[:2]
    return Opened(live_info(w, h), FramePlan(kept=frames), "video", None)


def reopen_every_frame(source: Any, opened: Opened, config: Config) -> Opened:
    """A plan over every frame of a video file (or over a photo), following
    ``opened.plan``: always a fresh decode."""
    if isinstance(source, np.ndarray):
        return Opened(opened.info, FramePlan(kept=[frame_from_array(source)]), opened.mode,
                      opened.plan)
    return Opened(opened.info, _decode_plan(source, opened.info, opened.plan, config, 1),
                  opened.mode, opened.plan, copies=opened.copies)
