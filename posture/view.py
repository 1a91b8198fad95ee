"""Stage 4: which side of the subject the camera sees, and whether they stand or walk.

Per frame, the apparent shoulder and hip widths against the torso height separate side
views (narrow) from front and back views (wide). Which side: the feet point where the
subject faces (heel -> toe, as Sports2D does), backed by the nose against the ears. Front
versus back: seen from the front, the subject's left shoulder is on the image's right.
Labels are smoothed over one second and grouped into segments.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .config import ViewConfig
from .landmarks import (
    LEFT_EAR,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_EAR,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)

VIEWS = ("side_left", "side_right", "front", "back", "unknown")


@dataclass(frozen=True)
class Segment:
    start_index: int  # position in the sequence, inclusive
    end_index: int  # exclusive
    start_t_s: float
    end_t_s: float
    view: str
    activity: str  # "standing" | "walking"


@dataclass(frozen=True)
class ViewEstimate:
    per_frame: np.ndarray  # (N,) view label of each frame
    forward_sign: np.ndarray  # (N,) +1 faces image-right, -1 image-left, 0 unknown
    view: str  # the main view (most frames)
    view_share: float  # share of frames with a person that have the main view
    activity: str
    segments: tuple[Segment, ...]


def _nanmedian(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else float("nan")


def shoulder_yaw_deg(world_m: np.ndarray) -> np.ndarray:
    """(N,) turn of the shoulder line away from the image plane, from world landmarks
    (0 = square to the camera; NaN where world landmarks are missing)."""
    d = world_m[:, LEFT_SHOULDER] - world_m[:, RIGHT_SHOULDER]
    yaw = np.degrees(np.arctan2(d[:, 2], np.abs(d[:, 0])))
    return yaw


def _windows(t_s: np.ndarray, window_s: float) -> Iterator[tuple[int, slice]]:
    """(frame, slice of the frames within ``window_s`` centred on it); ``t_s`` ascending,
    so each window is found by bisection, not by scanning the whole recording."""
    starts = np.searchsorted(t_s, t_s - window_s / 2, side="left")
    stops = np.searchsorted(t_s, t_s + window_s / 2, side="right")
    for i, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        yield i, slice(int(start), int(stop))


def _rolling_median(values: np.ndarray, t_s: np.ndarray, window_s: float) -> np.ndarray:
    out = np.full(len(values), np.nan)
    for i, window in _windows(t_s, window_s):
        near = values[window]
        near = near[np.isfinite(near)]
        if near.size:
            out[i] = np.median(near)
    return out


def frame_views(
    xy_px: np.ndarray, config: ViewConfig, yaw_deg: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame view labels and forward signs from landmark pixels (N, 33, 2).

    ``yaw_deg`` (optional, per frame): how far the shoulders are turned from the camera;
    wide torsos turned more than ``config.front_max_yaw_deg`` are oblique, not front views.
    """
    shoulders_dx = xy_px[:, LEFT_SHOULDER, 0] - xy_px[:, RIGHT_SHOULDER, 0]
    hips_dx = xy_px[:, LEFT_HIP, 0] - xy_px[:, RIGHT_HIP, 0]
    shoulder_mid = (xy_px[:, LEFT_SHOULDER] + xy_px[:, RIGHT_SHOULDER]) / 2
    hip_mid = (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2
    torso_px = np.linalg.norm(shoulder_mid - hip_mid, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        width_ratio = (np.abs(shoulders_dx) + np.abs(hips_dx)) / 2 / torso_px

    # Facing direction: toes ahead of heels, nose ahead of the ears.
    feet_dx = (
        xy_px[:, LEFT_FOOT_INDEX, 0] - xy_px[:, LEFT_HEEL, 0]
        + xy_px[:, RIGHT_FOOT_INDEX, 0] - xy_px[:, RIGHT_HEEL, 0]
    )
    nose_dx = xy_px[:, NOSE, 0] - (xy_px[:, LEFT_EAR, 0] + xy_px[:, RIGHT_EAR, 0]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        facing = np.sign(feet_dx / torso_px * 4 + nose_dx / torso_px)

    labels = np.full(len(xy_px), "unknown", dtype=object)
    side = width_ratio <= config.side_max_width_ratio
    wide = width_ratio >= config.front_min_width_ratio
    if yaw_deg is not None:
        wide &= ~(np.abs(yaw_deg) > config.front_max_yaw_deg)  # NaN yaw does not veto
    labels[side & (facing < 0)] = "side_left"
    labels[side & (facing > 0)] = "side_right"
    # From the front the subject's left shoulder appears on the image's right.
    labels[wide & (shoulders_dx + hips_dx > 0)] = "front"
    labels[wide & (shoulders_dx + hips_dx < 0)] = "back"
    forward = np.where(np.isfinite(facing), facing, 0.0)
    forward[~side] = 0.0
    return labels, forward


def _smooth_labels(labels: np.ndarray, t_s: np.ndarray, window_s: float = 1.0) -> np.ndarray:
    """Majority vote over a sliding time window (ignores 'unknown' where others exist)."""
    out = labels.copy()
    for i, window in _windows(t_s, window_s):
        near = labels[window]
        known = near[near != "unknown"]
        if known.size:
            values, counts = np.unique(known, return_counts=True)
            out[i] = values[np.argmax(counts)]
    return out


def leg_length_px(xy_px: np.ndarray) -> float:
    """Median hip-knee-ankle length over frames and sides (a scale for the body)."""
    lengths = []
    for hip, knee, ankle in ((LEFT_HIP, 25, 27), (RIGHT_HIP, 26, 28)):
        thigh = np.linalg.norm(xy_px[:, hip] - xy_px[:, knee], axis=-1)
        shank = np.linalg.norm(xy_px[:, knee] - xy_px[:, ankle], axis=-1)
        lengths.append(thigh + shank)
    return _nanmedian(np.concatenate(lengths))


def classify_activity(
    xy_px: np.ndarray, t_s: np.ndarray, leg_px: float, config: ViewConfig, view: str = "unknown"
) -> str:
    """``walking`` when the subject travels steadily across or toward the camera, or (seen
    from the side) the feet pass each other repeatedly; otherwise ``standing``.

    Net travel, not speed, is used: someone shifting from foot to foot moves their hips a
    lot but goes nowhere.
    """
    found = np.isfinite(xy_px).all(axis=(1, 2))
    if found.sum() < 3 or not np.isfinite(leg_px):
        return "standing"
    times = t_s[found]
    duration_s = float(times[-1] - times[0])
    if duration_s < config.walking_min_duration_s:
        return "standing"  # too short to tell a step from a settling tracker
    hip_x = ((xy_px[:, LEFT_HIP, 0] + xy_px[:, RIGHT_HIP, 0]) / 2)[found]
    edge = max(1, int(found.sum() // 6))
    travel_leg = abs(np.median(hip_x[-edge:]) - np.median(hip_x[:edge])) / leg_px
    if travel_leg / duration_s >= config.walking_min_speed_leg_per_s:
        return "walking"
    if view.startswith("side"):
        # Walking in place or on a treadmill: the ankles swap order along x several times.
        ankles_dx = (xy_px[:, 27, 0] - xy_px[:, 28, 0])[found]
        big = np.abs(ankles_dx) > 0.25 * leg_px
        signs = np.sign(ankles_dx[big])
        if int(np.sum(signs[1:] != signs[:-1])) >= 3:
            return "walking"
    elif view in ("front", "back"):
        # Walking toward or away from the camera: the body grows or shrinks steadily.
        height = np.linalg.norm(
            (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2
            - (xy_px[:, 27] + xy_px[:, 28]) / 2, axis=-1)[found]
        change = abs(np.log(np.median(height[-edge:]) / np.median(height[:edge])))
        if change / duration_s >= 0.1:
            return "walking"
        # Walking in place: the feet take turns leaving the floor, again and again (two
        # full cycles; someone shifting onto one leg and back does it once or twice).
        lift = (xy_px[:, 28, 1] - xy_px[:, 27, 1])[found]
        lifted = lift[np.abs(lift) > 0.08 * leg_px]
        if int(np.sum(np.sign(lifted[1:]) != np.sign(lifted[:-1]))) >= 4:
            return "walking"
    return "standing"


def estimate_view(
    xy_px: np.ndarray, t_s: np.ndarray, config: ViewConfig, world_m: np.ndarray | None = None
) -> ViewEstimate:
    """View and activity of a landmark sequence (frames without a person are NaN)."""
    # MediaPipe's depth is noisy frame to frame: judge the turn over two seconds.
    yaw = None if world_m is None else _rolling_median(shoulder_yaw_deg(world_m), t_s, 2.0)
    labels, forward = frame_views(xy_px, config, yaw)
    labels = _smooth_labels(labels, t_s)
    found = np.isfinite(xy_px).all(axis=(1, 2))
    leg_px = leg_length_px(xy_px)
    known = labels[found]
    if known.size == 0:
        activity = classify_activity(xy_px, t_s, leg_px, config)
        return ViewEstimate(labels, forward, "unknown", 0.0, activity, ())
    values, counts = np.unique(known, return_counts=True)
    main = str(values[np.argmax(counts)])
    share = float(counts.max() / known.size)
    activity = classify_activity(xy_px, t_s, leg_px, config, main)
    # Frames whose view is known but whose facing was not (turning) take the main one's.
    # A side frame faces the way its (smoothed) label says, even where its own feet and
    # nose could not be read.
    forward = np.where(labels == "side_left", -1.0, np.where(labels == "side_right", 1.0, 0.0))
    segments = _segments(labels, t_s, activity)
    return ViewEstimate(labels, forward, main, share, activity, segments)


def _segments(labels: np.ndarray, t_s: np.ndarray, activity: str) -> tuple[Segment, ...]:
    out: list[Segment] = []
    start = 0
    for i in range(1, len(labels) + 1):
        if i == len(labels) or labels[i] != labels[start]:
            out.append(
                Segment(start, i, float(t_s[start]), float(t_s[i - 1]), str(labels[start]),
                        activity)
            )
            start = i
    return tuple(out)
