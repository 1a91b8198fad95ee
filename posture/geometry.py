"""Plain 2D geometry on image points (x right, y down), vectorised over frames.

Every function takes arrays of shape (..., 2) in pixels and returns degrees or pixels.
NaN in, NaN out: a missing landmark never raises.
"""

from __future__ import annotations

import numpy as np


def angle_at_deg(a: np.ndarray, vertex: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Unsigned angle a-vertex-b in degrees, 0..180.

    >>> float(angle_at_deg(np.array([0.0, 0.0]), np.array([0.0, 1.0]), np.array([1.0, 1.0])))
    90.0
    """
    u = a - vertex
    v = b - vertex
    dot = np.sum(u * v, axis=-1)
    norm = np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cos = np.clip(dot / norm, -1.0, 1.0)
    return np.degrees(np.arccos(cos))


def to_body_frame(points: np.ndarray, forward_sign: np.ndarray | float) -> np.ndarray:
    """Image points -> (forward, up) coordinates: x along the walking/facing direction
    (``forward_sign`` is +1 when the subject faces image-right, -1 when image-left), y up.
    """
    # 0 = facing unknown: there is no forward axis, so no signed value (NaN, never 0).
    forward = np.where(np.asarray(forward_sign, dtype=float) == 0, np.nan, forward_sign)
    out = np.empty_like(points, dtype=float)
    out[..., 0] = points[..., 0] * forward
    out[..., 1] = -points[..., 1]
    return out


def signed_knee_flexion_deg(
    hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray, forward_sign: np.ndarray | float
) -> np.ndarray:
    """Knee flexion in the side view: 180 - angle(hip, knee, ankle), negative when the knee
    lies behind the hip-ankle line (hyperextension).

    >>> hip, ankle = np.array([0.0, 0.0]), np.array([0.0, 100.0])
    >>> round(float(signed_knee_flexion_deg(hip, np.array([10.0, 50.0]), ankle, 1.0)), 1)
    22.6
    >>> round(float(signed_knee_flexion_deg(hip, np.array([-10.0, 50.0]), ankle, 1.0)), 1)
    -22.6
    """
    flexion = 180.0 - angle_at_deg(hip, knee, ankle)
    h, k, a = (to_body_frame(p, forward_sign) for p in (hip, knee, ankle))
    leg = h - a
    rel = k - a
    # z of (leg x rel) is negative when the knee is forward of the ankle->hip line.
    cross = leg[..., 0] * rel[..., 1] - leg[..., 1] * rel[..., 0]
    sign = np.where(cross > 0, -1.0, 1.0)
    return np.where(np.isfinite(cross), sign * flexion, np.nan)


def inclination_from_vertical_deg(
    lower: np.ndarray, upper: np.ndarray, forward_sign: np.ndarray | float
) -> np.ndarray:
    """Angle of the segment lower->upper from vertical, positive when ``upper`` lies
    behind ``lower`` (backward lean), in degrees.

    >>> round(float(inclination_from_vertical_deg(np.array([0.0, 100.0]),
    ...                                           np.array([-10.0, 0.0]), 1.0)), 1)
    5.7
    """
    d = to_body_frame(upper, forward_sign) - to_body_frame(lower, forward_sign)
    return np.degrees(np.arctan2(-d[..., 0], d[..., 1]))


def signed_angle_between_deg(
    reference: np.ndarray, segment: np.ndarray, forward_sign: np.ndarray | float
) -> np.ndarray:
    """Angle from the direction ``reference`` to ``segment`` (both vectors), positive when
    ``segment`` is rotated backward of ``reference`` in the side view."""
    r = to_body_frame(reference, forward_sign)
    s = to_body_frame(segment, forward_sign)
    angle_r = np.arctan2(r[..., 1], r[..., 0])
    angle_s = np.arctan2(s[..., 1], s[..., 0])
    diff = np.degrees(angle_s - angle_r)
    diff = (diff + 180.0) % 360.0 - 180.0
    # Pointing down, rotating backward (toward -forward) turns clockwise: negative in
    # (forward, up) axes, so flip the sign to make backward positive.
    return -diff


def line_tilt_deg(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Tilt of the line between a left and a right point, positive when the left point is
    higher in the image, whichever way the subject faces.

    >>> round(float(line_tilt_deg(np.array([100.0, 90.0]), np.array([0.0, 100.0]))), 1)
    5.7
    """
    dx = np.abs(left[..., 0] - right[..., 0])
    dy = right[..., 1] - left[..., 1]
    return np.degrees(np.arctan2(dy, dx))


def distance_px(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1)
