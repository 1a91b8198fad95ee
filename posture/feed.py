"""Stages 1-3 plumbing: which frames reach MediaPipe, decoded how many times, at what size.

``open_frames`` sets up the pose pass for a path, an image array or camera frames. For a
video it first scans for the subject (``subject.scan_for_subject``); a short clip is decoded
once and shared between the scan and a pose pass that starts beside it (``Restart`` is
raised when the scan ends up wanting a crop); a clip whose subject stands still is analysed
at ``Config.standing_analysis_fps``. None of this changes what is measured (bench/README.md).
A person too small for MediaPipe to find in the whole frame is looked for in tiles and
followed in a crop (``subject.tiled_search_reason``; photos: ``subject.scan_photo``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
from .subject import SubjectPlan, choose_subject, link_tracks, scan_for_subject, scan_photo


def _prefetch(frames: Iterable[Frame], size: int = 4) -> Iterator[Frame]:
    """Decode ahead in a thread, so decoding overlaps inference (``source.prefetch``)."""
    return prefetch(frames, size)


@dataclass
class Opened:
    """What the pose pass reads."""

    info: MediaInfo
    frames: Iterable[Frame]
    mode: str  # "image" | "video"
    closable: Any  # closed after the pass; its ``stopped_at_limit`` says the clip was cut
    plan: SubjectPlan | None
    every_nth: int = 1
    # Set when the pose pass starts before the subject scan has ended: ``plan`` is then
    # None until the scan's result is in.
    scan: _BackgroundScan | None = None
    # Small copies of the frames for the annotated video, kept by the decoder that fed
    # this pass (None when no annotated video is wanted).
    copies: DisplayCopies | None = None


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


class Restart(Exception):
    """The pose pass that started before the scan ended must start again (the scan found
    someone to follow in a crop, or the frames did not fit in memory after all)."""


class _SharedFrames:
    """Frames decoded once, read by two passes at their own pace: the subject scan
    (``feed``) and a pose pass that starts before the scan is over (``read``)."""

    def __init__(self, frames: Iterable[Frame], max_bytes: int) -> None:
        self._source = frames
        self._max_bytes = max_bytes
        self._frames: list[Frame] = []
        self._cond = threading.Condition()
        self._finished = False
        self.overflow = False

    def feed(self) -> Iterator[Frame]:
        """The decoded frames, kept for ``read`` as they pass."""
        used = 0
        try:
            for frame in self._source:
                used += frame.image_rgb.nbytes
                with self._cond:
                    if used > self._max_bytes:
                        self.overflow = True
                    else:
                        self._frames.append(frame)
                    self._cond.notify_all()
                yield frame
        finally:
            with self._cond:
                self._finished = True
                self._cond.notify_all()

    def read(self) -> Iterator[Frame]:
        """Every frame in order, waiting for the decoder where needed."""
        position = 0
        while True:
            with self._cond:
                while (position >= len(self._frames) and not self._finished
                       and not self.overflow):
                    self._cond.wait()
                if position < len(self._frames):
                    frame = self._frames[position]
                elif self.overflow:
                    raise Restart
                else:
                    return
            position += 1
            yield frame


class _BackgroundScan:
    """``scan_for_subject`` in a thread, over frames the pose pass reads too. Closing it
    waits for the scan, then closes the media (``stopped_at_limit`` is the media's)."""

    def __init__(self, source: Any, info: MediaInfo, config: Config, shared: _SharedFrames,
                 media: Any) -> None:
        self.samples: list = []
        self.plan: SubjectPlan | None = None
        self._error: BaseException | None = None
        self._media = media
        self._seen = 0
        self._crop = False
        self._crop_likely = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(source, info, config, shared), daemon=True)
        self._thread.start()

    def _run(self, source: Any, info: MediaInfo, config: Config, shared: _SharedFrames) -> None:
        frames = shared.feed()
        try:
            self.plan = scan_for_subject(source, info, config, frames=frames,
                                         samples=self.samples,
                                         crop_likely=self._crop_likely)
        except BaseException as err:  # re-raised by ``result`` in the caller's thread
            self._error = err
        finally:
            frames.close()

    def wants_crop(self) -> bool:
        """Whether the pose pass will follow someone in a crop, as far as the scan knows
        (true as soon as the scan searches in tiles for nobody or someone small: the pass
        over whole frames would then only hold up that search)."""
        if not self._thread.is_alive():
            return self.plan is not None and self.plan.track is not None
        if self._crop_likely.is_set():
            return True
        samples = list(self.samples)
        if len(samples) != self._seen:
            self._seen = len(samples)
            self._crop = choose_subject(link_tracks(samples)).track is not None
        return self._crop

    def result(self) -> SubjectPlan:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self.plan is not None
        return self.plan

    @property
    def stopped_at_limit(self) -> bool:
        return bool(getattr(self._media, "stopped_at_limit", False))

    def close(self) -> None:
        self._thread.join()
        self._media.close()


def _decode(source: Any, plan: SubjectPlan | None, config: Config,
            every_nth: int, copies: DisplayCopies | None) -> tuple[Any, Iterator[Frame]]:
    """(media, frames decoded ahead in a thread) for the pose pass over a video file."""
    following = plan is not None and plan.track is not None
    media = open_media(
        source,
        max_side_px=(config.speed.crop_decode_max_side_px if following
                     else config.pose.inference_max_side_px),
        max_duration_s=config.max_duration_s,
    )
    convert_if = None
    if following:
        w, h = media.info.width_px, media.info.height_px

        def convert_if(t_s: float) -> bool:
            # Outside the subject's time in view nothing is cropped, so nothing converted.
            return plan.crop_box(t_s, w, h) is not None

    return media, _prefetch(media.frames(every_nth=every_nth, convert_if=convert_if,
                                         copies=copies))


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


def _every_frame_anyway(info: MediaInfo, config: Config) -> bool:
    """True when ``_analysis_step`` is 1 whatever the scan finds."""
    return _standing_step(info, config) == 1


def _open_video(source: str | Path, info: MediaInfo, config: Config,
                copies: DisplayCopies | None) -> Opened:
    """Scan for the subject, then set up the pose pass (decoding short clips only once)."""
    side = config.pose.inference_max_side_px
    media = open_media(source, max_side_px=side, max_duration_s=config.max_duration_s)
    samples: list = []
    shrink = min(1.0, side / max(info.width_px, info.height_px))
    frame_bytes = info.width_px * info.height_px * 3 * shrink**2
    decode_once = (bool(info.frame_count)
                   and info.frame_count * frame_bytes <= config.speed.decode_once_max_bytes)
    if decode_once and _every_frame_anyway(info, config):
        # Most clips show one person, and then the pose pass runs over the whole frame
        # whatever else the scan finds: it starts at once, beside the scan, and starts
        # again in a crop only if the scan finds someone to follow.
        shared = _SharedFrames(_prefetch(media.frames(copies=copies)),
                               config.speed.decode_once_max_bytes)
        scan = _BackgroundScan(source, info, config, shared, media)
        return Opened(media.info, shared.read(), "video", scan, None, 1, scan, copies)
    try:
        if decode_once:
            kept = _KeepFrames(_prefetch(media.frames(copies=copies)),
                               config.speed.decode_once_max_bytes)
            plan = scan_for_subject(source, info, config, frames=kept, samples=samples)
        else:
            kept = None
            plan = scan_for_subject(source, info, config, samples=samples)
    finally:
        media.close()
    step = _analysis_step(info, plan, samples, config)
    if plan.track is None and kept is not None and kept.complete and kept.frames:
        frames = [f for f in kept.frames if f.index % step == 0]
        return Opened(media.info, frames, "video", media, plan, step, copies=copies)
    media, frames = _decode(source, plan, config, step, copies)
    return Opened(media.info, frames, "video", media, plan, step, copies=copies)


def _open_photo(source: Any, info: MediaInfo, frames: Iterable[Frame], config: Config,
                media: Any) -> Opened:
    """The pose pass over a photo: over the whole picture, as always when the person is
    found there, or in a crop around a person too small for MediaPipe to find in the whole
    picture (``subject.scan_photo``: one MediaPipe call first, tiles only when needed)."""
    frames = list(frames)
    plan = scan_photo(source, info, config, frames)
    opened = Opened(info, frames, "image", media, None)
    if plan.track is None:
        return opened
    if media is not None:
        media.close()
    opened.plan = plan
    return reopen_every_frame(source, opened, config)


def open_frames(source: Any, config: Config, copies: DisplayCopies | None = None) -> Opened:
    """What the pose pass reads, for a path, an image array or frames. ``copies`` (video
    files only) keeps small copies of the decoded frames for the annotated video."""
    if isinstance(source, (str, Path)):
        info = probe(source)
        if info.kind == "video":
            return _open_video(source, info, config, copies)
        media = open_media(source, max_side_px=config.pose.inference_max_side_px,
                           max_duration_s=config.max_duration_s)
        return _open_photo(source, media.info, _prefetch(media), config, media)
    if isinstance(source, np.ndarray):
        frame = frame_from_array(source)
        h, w = frame.image_rgb.shape[:2]
        info = MediaInfo("image", w, h, None, None, 1, 0, None, None)
        return _open_photo(source, info, [frame], config, None)
    frames = list(source)
    if not frames:
        raise InputError("No frames were given to analyse.")
    h, w = frames[0].image_rgb.shape[:2]
    return Opened(live_info(w, h), frames, "video", None, None)


def reopen_every_frame(source: Any, opened: Opened, config: Config) -> Opened:
    """A fresh pose pass over every frame of a video file (or over a photo), following
    ``opened.plan``."""
    if isinstance(source, np.ndarray):
        return Opened(opened.info, [frame_from_array(source)], opened.mode, None, opened.plan)
    media, frames = _decode(source, opened.plan, config, 1, opened.copies)
    return Opened(opened.info, frames, opened.mode, media, opened.plan, copies=opened.copies)
