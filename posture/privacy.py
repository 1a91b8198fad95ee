"""Face blurring for stored and exported pictures (annotated photos, videos, key frames).

Patients' recordings are health data; a clinic may keep or share the annotated output
without the face in it. The face is found from the pose landmarks MediaPipe already gave
(points 0-10: nose, eyes, ears, mouth), so no extra model is needed: an ellipse around
them, grown to cover the whole head, is replaced by a strong Gaussian blur. Everything
outside the ellipse is left exactly as it was.

Limits: only the person MediaPipe tracks in a frame has landmarks, so bystanders' faces
are not blurred; in a frame where the tracked person was lost, the nearest frame's
landmarks (within ``NEAREST_FACE_MAX_GAP_S``) are used.

>>> image = np.zeros((200, 200, 3), np.uint8)
>>> xy = np.full((33, 2), np.nan); xy[:11] = [100, 60]; xy[7], xy[8] = [112, 60], [88, 60]
>>> blur_faces(image, xy, np.ones(33)).shape
(200, 200, 3)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    from .pose import PoseSequence

FACE_POINTS = tuple(range(11))  # MediaPipe Pose: nose, eyes (inner, centre, outer), ears, mouth
# Face points MediaPipe rates below this are left out of the ellipse, unless that leaves
# fewer than two (then every finite face point is used: blurring too much is the safe side).
MIN_FACE_VISIBILITY = 0.1
# The spread of the face points (ear to ear from the front, ear to nose from the side) is
# about half to two thirds of the head's width; the ellipse, centred on the points' bounding
# box (not their mean, which the eyes and mouth pull toward the face side of a turned
# head), has a half-width of this many spreads and a half-height 1.3 times that, so the
# back of the head, hair, forehead and chin are covered.
HEAD_RADIUS_PER_SPREAD = 1.2
HEAD_HEIGHT_RATIO = 1.3
MIN_RADIUS_PX = 6.0
# Gaussian sigma as a share of the ellipse's half-width: at 0.5 no facial feature survives.
BLUR_SIGMA_PER_RADIUS = 0.5
NEAREST_FACE_MAX_GAP_S = 0.5


def face_ellipse(
    xy_px: np.ndarray, visibility: np.ndarray
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((centre x, centre y), (half-width, half-height)) in pixels around the head of one
    person's (33, 2) landmarks, or None when no face point is known."""
    points = np.asarray(xy_px, dtype=float)[list(FACE_POINTS)]
    vis = np.asarray(visibility, dtype=float)[list(FACE_POINTS)]
    finite = np.isfinite(points).all(axis=1)
    chosen = finite & (np.nan_to_num(vis, nan=0.0) >= MIN_FACE_VISIBILITY)
    if chosen.sum() < 2:
        chosen = finite
    if not chosen.any():
        return None
    pts = points[chosen]
    spread = float(np.max(np.linalg.norm(pts[:, None] - pts[None], axis=-1)))
    radius = max(HEAD_RADIUS_PER_SPREAD * spread, MIN_RADIUS_PX)
    centre = (pts.min(axis=0) + pts.max(axis=0)) / 2
    return (float(centre[0]), float(centre[1])), (radius, radius * HEAD_HEIGHT_RATIO)


def blur_faces(image_rgb: np.ndarray, xy_px: np.ndarray, visibility: np.ndarray) -> np.ndarray:
    """A copy of ``image_rgb`` with the head of each person blurred.

    ``xy_px`` holds one person's landmarks (33, 2) or several people's (K, 33, 2), in pixels
    of ``image_rgb``; ``visibility`` is (33,) or (K, 33). Pixels outside the head ellipses
    are unchanged.
    """
    out = np.array(image_rgb, copy=True)
    xy_all = np.asarray(xy_px, dtype=float).reshape(-1, 33, 2)
    vis_all = np.asarray(visibility, dtype=float).reshape(-1, 33)
    h, w = out.shape[:2]
    for xy, vis in zip(xy_all, vis_all, strict=True):
        ellipse = face_ellipse(xy, vis)
        if ellipse is None:
            continue
        (cx, cy), (rx, ry) = ellipse
        x0, x1 = max(0, int(np.floor(cx - rx))), min(w, int(np.ceil(cx + rx)) + 1)
        y0, y1 = max(0, int(np.floor(cy - ry))), min(h, int(np.ceil(cy + ry)) + 1)
        if x1 <= x0 or y1 <= y0:
            continue  # the head lies outside the picture
        roi = out[y0:y1, x0:x1]
        sigma = max(BLUR_SIGMA_PER_RADIUS * rx, 2.0)
        blurred = cv2.GaussianBlur(roi, (0, 0), sigmaX=sigma, sigmaY=sigma,
                                   borderType=cv2.BORDER_REPLICATE)
        mask = np.zeros(roi.shape[:2], np.uint8)
        cv2.ellipse(mask, (int(round(cx - x0)), int(round(cy - y0))),
                    (int(round(rx)), int(round(ry))), 0, 0, 360, 255, -1)
        inside = mask.astype(bool)
        roi[inside] = blurred[inside]
    return out


def face_landmarks_near(
    pose: PoseSequence, position: int, max_gap_s: float = NEAREST_FACE_MAX_GAP_S
) -> tuple[np.ndarray, np.ndarray]:
    """The raw landmarks and visibility at sequence ``position``; when no face point was
    found there, those of the nearest frame within ``max_gap_s`` that has one (else NaN)."""
    def has_face(i: int) -> bool:
        return bool(np.isfinite(pose.xy_px[i, list(FACE_POINTS)]).all(axis=1).any())

    if len(pose) == 0:
        return np.full((33, 2), np.nan), np.zeros(33)
    if has_face(position):
        return pose.xy_px[position], pose.visibility[position]
    gaps = np.abs(pose.t_s - pose.t_s[position])
    for i in np.argsort(gaps, kind="stable"):
        if gaps[i] > max_gap_s:
            break
        if has_face(int(i)):
            return pose.xy_px[i], pose.visibility[i]
    return pose.xy_px[position], pose.visibility[position]
