"""Loose trousers: the leg surface pushed outward from the bone axes before rendering.

Only the picture changes; the truth is measured on the body underneath. Wide trouser legs
hide the knee's outline, which is what makes them hard for a pose estimator.
"""

from __future__ import annotations

import numpy as np

from .body import BodyModel, BodyShape

# Extra radius (m) at the top and bottom of each segment: snug at the hip, flaring to the hem.
THIGH_M = (0.006, 0.03)
SHANK_M = (0.03, 0.045)


KNEE_BLEND_M = 0.06  # the thigh's and the shank's push blend over +/- this about the knee


def _push(points: np.ndarray, top: np.ndarray, bottom: np.ndarray,
          extra: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Radial push (N, 3) away from the segment top-bottom, with a thickness growing down
    it, and each point's distance along the segment from its top (m)."""
    axis = bottom - top
    length = float(np.linalg.norm(axis))
    along = (points - top) @ axis / length
    t = np.clip(along / length, 0.0, 1.0)
    radial = points - (top + t[:, None] * axis)
    norm = np.linalg.norm(radial, axis=1, keepdims=True)
    thickness = extra[0] + (extra[1] - extra[0]) * t
    return radial / np.maximum(norm, 1e-6) * thickness[:, None], along


def dress(body: BodyModel, shape: BodyShape, vertices: np.ndarray,
          rig: dict[str, np.ndarray]) -> np.ndarray:
    """The vertices to render: unchanged, or with loose trouser legs."""
    if not shape.loose_trousers:
        return vertices
    out = vertices.copy()
    floor = float(vertices[:, 2].min())
    bones = body.vertex_bone
    for s in ("L", "R"):
        hip, knee, ankle = rig[f"upperleg01.{s}"], rig[f"lowerleg01.{s}"], rig[f"foot.{s}"]
        leg = (np.char.startswith(bones, "upperleg") | np.char.startswith(bones, "lowerleg")) \
            & np.char.endswith(bones, f".{s}")
        points = vertices[leg]
        thigh, _ = _push(points, hip, knee, THIGH_M)
        shank, below_knee = _push(points, knee, ankle, SHANK_M)
        # 0 above the knee, 1 below it, smoothly across the joint: no step in the cloth.
        w = np.clip((below_knee + KNEE_BLEND_M) / (2 * KNEE_BLEND_M), 0.0, 1.0)
        w = w * w * (3 - 2 * w)
        out[leg] = points + (1 - w)[:, None] * thigh + w[:, None] * shank
    out[:, 2] = np.maximum(out[:, 2], floor)  # a hem never goes through the floor
    return out
