"""Stage 5: per-frame measurements from cleaned, filtered landmarks.

Cleaning, in order: landmarks below the visibility threshold become missing; in side views
left and right legs that MediaPipe swapped between frames are put back; gaps of a few frames
are interpolated; coordinates are low-pass filtered (zero-lag Butterworth for files; live
frames are smoothed causally by ``posture.live``). Then every measurement is computed for
every frame, NaN where its landmarks are missing or the view does not allow it.

Names carry their units; signs follow ``posture.config``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.signal import butter, sosfiltfilt

from . import geometry as geo
from .config import FilterConfig, QualityConfig
from .landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
    SIDE_POINTS,
)

UNITS = {"deg": "deg", "pct": "%", "px": "px"}

# Ankles closer than this share of leg length (feet together) give no load-share reading.
MIN_ANKLE_SPREAD_FOR_LOAD_SHARE = 0.15

# Measurement name -> (unit, views where it is meaningful, what it is).
MEASUREMENTS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "knee_flexion_left_deg": ("deg", ("side",), "Left knee flexion (hyperextension negative)"),
    "knee_flexion_right_deg": ("deg", ("side",), "Right knee flexion (hyperextension negative)"),
    "hip_extension_left_deg": ("deg", ("side",), "Left thigh behind the trunk line"),
    "hip_extension_right_deg": ("deg", ("side",), "Right thigh behind the trunk line"),
    "trunk_inclination_deg": ("deg", ("side",), "Trunk from vertical, backward positive"),
    "hip_forward_offset_pct": ("pct", ("side",), "Hip centre ahead of the ankles, % leg length"),
    "shoulder_forward_offset_pct": (
        "pct", ("side",), "Shoulder centre ahead of the ankles, % leg length"),
    "trunk_lateral_lean_deg": ("deg", ("front",), "Trunk from vertical, toward the left positive"),
    "pelvic_obliquity_deg": ("deg", ("front",), "Hip line tilt, left hip higher positive"),
    "shoulder_obliquity_deg": ("deg", ("front",), "Shoulder line tilt, left higher positive"),
    "load_share_right_pct": ("pct", ("front",), "Hip centre between the ankles: 0 left, 100 right"),
    "foot_lift_left_pct": (
        "pct", ("front",), "Left ankle drawn higher than the right, % leg length"),

    "lateral_trunk_shift_pct": (
        "pct", ("front",), "Shoulder centre beside the ankle centre, toward the left positive"),
    "knee_flexion_asymmetry_deg": ("deg", ("side",), "Left minus right knee flexion"),
    "pelvis_rotation_proxy_pct": (
        "pct", ("side",), "Apparent front-back spread of the hips, % leg length"),
    "shoulder_rotation_proxy_pct": (
        "pct", ("side",), "Apparent front-back spread of the shoulders, % leg length"),
    "arm_swing_left_pct": ("pct", ("side",), "Left wrist ahead of the shoulder, % leg length"),
    "arm_swing_right_pct": ("pct", ("side",), "Right wrist ahead of the shoulder, % leg length"),
}


@dataclass
class Measurements:
    """Per-frame series. ``values[name]`` has one value per frame of the sequence."""

    frame_index: np.ndarray
    t_s: np.ndarray
    values: dict[str, np.ndarray]
    xy_px: np.ndarray  # cleaned, filtered landmarks where the camera saw them (N, 33, 2)
    leg_length_px: float
    # The same landmarks as a level camera would see them (turned back by the camera's
    # roll, ``posture.camera``): what the values are computed from.
    level_xy_px: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.level_xy_px is None:
            self.level_xy_px = self.xy_px

    def series(self) -> dict[str, np.ndarray]:
        """All series plus ``t_s`` and ``frame_index`` (for CSV and charts)."""
        return {"frame_index": self.frame_index, "t_s": self.t_s, **self.values}


def landmarks_seen(
    xy_px: np.ndarray, visibility: np.ndarray, quality: QualityConfig,
    frame_size_px: tuple[int, int] | None = None,
) -> np.ndarray:
    """(N, 33) bool: visible enough and, when the frame size is given, inside the picture.

    MediaPipe extrapolates landmarks beyond the picture's edge, often with high visibility;
    a foot below the bottom edge was not seen, whatever its score.
    """
    seen = visibility >= quality.min_visibility
    if frame_size_px is not None:
        width_px, height_px = frame_size_px
        with np.errstate(invalid="ignore"):
            seen &= (xy_px[..., 0] >= 0) & (xy_px[..., 0] < width_px)
            seen &= (xy_px[..., 1] >= 0) & (xy_px[..., 1] < height_px)
    return seen


def mask_low_visibility(
    xy_px: np.ndarray, visibility: np.ndarray, quality: QualityConfig,
    frame_size_px: tuple[int, int] | None = None,
) -> np.ndarray:
    """Copy of ``xy_px`` with landmarks that were not seen (``landmarks_seen``) set to NaN."""
    out = xy_px.copy()
    out[~landmarks_seen(xy_px, visibility, quality, frame_size_px)] = np.nan
    return out


_LEG_PAIRS = (
    (LEFT_KNEE, RIGHT_KNEE), (LEFT_ANKLE, RIGHT_ANKLE), (LEFT_HEEL, RIGHT_HEEL),
    (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX),
)


def fix_leg_swaps(xy_px: np.ndarray) -> tuple[np.ndarray, int]:
    """Undo frames where MediaPipe swapped the left and right leg (a known side-view fault).

    A frame's legs are swapped back when, compared with the previous frame, the crossed
    assignment of knees, ankles, heels and toes is much closer than the straight one.
    Returns the corrected copy and the number of frames corrected.
    """
    out = xy_px.copy()
    swapped = 0
    previous = None
    for i in range(len(out)):
        frame = out[i]
        if previous is not None:
            straight = crossed = 0.0
            for left, right in _LEG_PAIRS:
                straight += np.nansum(np.linalg.norm(frame[[left, right]] - previous[[left, right]],
                                                     axis=-1))
                crossed += np.nansum(np.linalg.norm(frame[[right, left]] - previous[[left, right]],
                                                    axis=-1))
            if crossed < 0.5 * straight:
                for left, right in _LEG_PAIRS:
                    frame[[left, right]] = frame[[right, left]]
                swapped += 1
        if np.isfinite(frame[[LEFT_KNEE, RIGHT_KNEE, LEFT_ANKLE, RIGHT_ANKLE]]).all():
            previous = frame.copy()
    return out, swapped


def _fill_gaps(values: np.ndarray, t_s: np.ndarray, max_gap_frames: int) -> np.ndarray:
    """Linearly interpolate runs of at most ``max_gap_frames`` NaN between finite values."""
    out = values.copy()
    finite = np.isfinite(values)
    if finite.sum() < 2:
        return out
    idx = np.flatnonzero(finite)
    for a, b in zip(idx[:-1], idx[1:], strict=True):
        if 1 < b - a <= max_gap_frames + 1:
            out[a + 1 : b] = np.interp(t_s[a + 1 : b], [t_s[a], t_s[b]], [values[a], values[b]])
    return out


def _finite_runs(mask: np.ndarray) -> list[tuple[int, int]]:
    runs, start = [], None
    for i, ok in enumerate(mask):
        if ok and start is None:
            start = i
        elif not ok and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(mask)))
    return runs


@lru_cache(maxsize=32)
def _butterworth(order: int, normalised_cutoff: float) -> np.ndarray:
    # Designed once per (order, cutoff): 66 landmark series share the same filter.
    return butter(order, normalised_cutoff, output="sos")


def lowpass_zero_lag(values: np.ndarray, t_s: np.ndarray, config: FilterConfig) -> np.ndarray:
    """Zero-lag Butterworth low-pass of each finite run (runs too short stay as they are).

    >>> t = np.arange(100) / 30.0
    >>> noisy = np.sin(2 * np.pi * t) + 0.2 * np.cos(2 * np.pi * 12 * t)
    >>> smooth = lowpass_zero_lag(noisy, t, FilterConfig())
    >>> bool(np.abs(smooth - np.sin(2 * np.pi * t))[10:-10].max() < 0.05)
    True
    """
    if len(t_s) < 2:
        return values.copy()
    dt = np.median(np.diff(t_s))
    if not np.isfinite(dt) or dt <= 0:
        return values.copy()
    fs = 1.0 / dt
    if config.cutoff_hz >= 0.45 * fs:
        return values.copy()  # the clip's frame rate is too low for the filter to mean anything
    sos = _butterworth(config.order, round(config.cutoff_hz / (fs / 2), 6))
    out = values.copy()
    for start, stop in _finite_runs(np.isfinite(values)):
        if stop - start > 3 * (2 * sos.shape[0] + 1):
            out[start:stop] = sosfiltfilt(sos, values[start:stop])
    return out


def clean_landmarks(
    xy_px: np.ndarray,
    visibility: np.ndarray,
    t_s: np.ndarray,
    quality: QualityConfig,
    filtering: FilterConfig,
    side_view: bool,
    zero_lag: bool = True,
    frame_size_px: tuple[int, int] | None = None,
) -> tuple[np.ndarray, int]:
    """Mask, un-swap, gap-fill and filter landmarks. Returns them and the swap count."""
    xy = mask_low_visibility(xy_px, visibility, quality, frame_size_px)
    swaps = 0
    if side_view and len(xy) > 1:
        xy, swaps = fix_leg_swaps(xy)
    if len(xy) > 1:
        for landmark in range(xy.shape[1]):
            for axis in range(2):
                series = _fill_gaps(xy[:, landmark, axis], t_s, filtering.max_gap_frames)
                if zero_lag:
                    series = lowpass_zero_lag(series, t_s, filtering)
                xy[:, landmark, axis] = series
    return xy, swaps


def _midpoint(left: np.ndarray, right: np.ndarray, side_view: np.ndarray) -> np.ndarray:
    """Midpoint of left and right points. Seen from the side the two nearly coincide, so
    when the far one is hidden the near one stands in for the pair."""
    both = (left + right) / 2
    only_left = np.isnan(right).any(axis=-1) & np.isfinite(left).all(axis=-1) & side_view
    only_right = np.isnan(left).any(axis=-1) & np.isfinite(right).all(axis=-1) & side_view
    both[only_left] = left[only_left]
    both[only_right] = right[only_right]
    return both


def compute_measurements(
    xy_px: np.ndarray,
    frame_index: np.ndarray,
    t_s: np.ndarray,
    per_frame_view: np.ndarray,
    forward_sign: np.ndarray,
    leg_length_px: float,
) -> Measurements:
    """Every measurement for every frame from cleaned landmarks.

    ``per_frame_view`` holds view labels; side-view measurements are NaN outside side
    views and front-view ones outside front and back views.
    """
    p = xy_px
    side = np.array([str(v).startswith("side") for v in per_frame_view], dtype=bool)
    frontal = np.array([v in ("front", "back") for v in per_frame_view], dtype=bool)
    fwd = np.where(side, forward_sign, np.nan)
    leg = leg_length_px if np.isfinite(leg_length_px) and leg_length_px > 0 else np.nan

    shoulder_mid = _midpoint(p[:, LEFT_SHOULDER], p[:, RIGHT_SHOULDER], side)
    hip_mid = _midpoint(p[:, LEFT_HIP], p[:, RIGHT_HIP], side)
    ankle_mid = _midpoint(p[:, LEFT_ANKLE], p[:, RIGHT_ANKLE], side)
    values: dict[str, np.ndarray] = {}

    for side_name, pts in SIDE_POINTS.items():
        hip, knee, ankle = p[:, pts["hip"]], p[:, pts["knee"]], p[:, pts["ankle"]]
        values[f"knee_flexion_{side_name}_deg"] = geo.signed_knee_flexion_deg(hip, knee, ankle, fwd)
        values[f"hip_extension_{side_name}_deg"] = geo.signed_angle_between_deg(
            hip_mid - shoulder_mid, knee - hip, fwd
        )
        wrist_ahead = (p[:, pts["wrist"], 0] - p[:, pts["shoulder"], 0]) * fwd
        values[f"arm_swing_{side_name}_pct"] = 100 * wrist_ahead / leg

    values["trunk_inclination_deg"] = geo.inclination_from_vertical_deg(hip_mid, shoulder_mid, fwd)
    values["hip_forward_offset_pct"] = 100 * (hip_mid[:, 0] - ankle_mid[:, 0]) * fwd / leg
    values["shoulder_forward_offset_pct"] = (
        100 * (shoulder_mid[:, 0] - ankle_mid[:, 0]) * fwd / leg
    )
    values["knee_flexion_asymmetry_deg"] = (
        values["knee_flexion_left_deg"] - values["knee_flexion_right_deg"]
    )
    values["pelvis_rotation_proxy_pct"] = (
        100 * (p[:, LEFT_HIP, 0] - p[:, RIGHT_HIP, 0]) * fwd / leg
    )
    values["shoulder_rotation_proxy_pct"] = (
        100 * (p[:, LEFT_SHOULDER, 0] - p[:, RIGHT_SHOULDER, 0]) * fwd / leg
    )

    # Front and back views. Seen from the front the subject's left is on the image right;
    # ``toward_left`` turns image x into "toward the subject's left".
    toward_left = np.where(
        per_frame_view == "front", 1.0, np.where(per_frame_view == "back", -1.0, np.nan)
    )
    lean = np.degrees(np.arctan2((shoulder_mid[:, 0] - hip_mid[:, 0]) * toward_left,
                                 hip_mid[:, 1] - shoulder_mid[:, 1]))
    values["trunk_lateral_lean_deg"] = lean
    values["pelvic_obliquity_deg"] = np.where(
        frontal, geo.line_tilt_deg(p[:, LEFT_HIP], p[:, RIGHT_HIP]), np.nan
    )
    values["shoulder_obliquity_deg"] = np.where(
        frontal, geo.line_tilt_deg(p[:, LEFT_SHOULDER], p[:, RIGHT_SHOULDER]), np.nan
    )
    ankle_span = p[:, RIGHT_ANKLE, 0] - p[:, LEFT_ANKLE, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = 100 * (hip_mid[:, 0] - p[:, LEFT_ANKLE, 0]) / ankle_span
    # With the feet close together a pixel of error moves the share by several percent:
    # below this spread (share of leg length) the proxy gives no reading.
    share[np.abs(ankle_span) < MIN_ANKLE_SPREAD_FOR_LOAD_SHARE * leg] = np.nan
    values["load_share_right_pct"] = np.where(frontal, share, np.nan)
    values["foot_lift_left_pct"] = 100 * (p[:, RIGHT_ANKLE, 1] - p[:, LEFT_ANKLE, 1]) / leg
    values["lateral_trunk_shift_pct"] = (
        100 * (shoulder_mid[:, 0] - ankle_mid[:, 0]) * toward_left / leg
    )
    for name, (_unit, views, _text) in MEASUREMENTS.items():
        allowed = side if views == ("side",) else frontal
        values[name] = np.where(allowed, values[name], np.nan).astype(float)
    return Measurements(frame_index, t_s, values, xy_px, float(leg), xy_px)


def unit_of(name: str) -> str:
    """Unit of a measurement from its name's suffix: ``deg``, ``%`` or ``px``."""
    return UNITS.get(name.rsplit("_", 1)[-1], "")

