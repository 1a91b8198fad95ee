"""Phone-camera placement for the validation and dev splits.

A phone is held (or propped) at some height, aimed at the person, possibly a little rolled and
off the ideal axis. The distance follows from how much of the picture the person fills; it is
increased until the whole body is inside the picture with a margin. For a walk, the camera
stands at a given distance from the middle of the walked path, and the clip is as long as the
walker stays fully in the picture (up to a cap).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .render import CameraSpec, project

MARGIN = 0.03  # fraction of the picture kept free on every side


@dataclass(frozen=True)
class PhoneCam:
    """Conditions of one picture: view geometry and lens."""

    off_axis_deg: float = 0.0
    roll_deg: float = 0.0
    height_m: float = 1.0
    fill: float = 0.72  # stills: body height / picture height at the subject
    distance_m: float | None = None  # walks: camera to the middle of the walked path
    long_fov_deg: float | None = 66.0  # field of view across the long side (walks: None =
    # the narrowest lens that shows enough strides, see phone.plan_walk)
    width_px: int = 480
    height_px: int = 640

    def yfov_deg(self) -> float:
        """Vertical field of view for this picture's orientation."""
        long_side, short_side = max(self.width_px, self.height_px), min(self.width_px,
                                                                          self.height_px)
        if self.long_fov_deg is None:
            raise ValueError("no lens chosen")
        half_long = math.tan(math.radians(self.long_fov_deg) / 2)
        if self.height_px >= self.width_px:  # portrait: the long side is vertical
            return self.long_fov_deg
        return math.degrees(2 * math.atan(half_long * short_side / long_side))


def inside(pixels: np.ndarray, camera: CameraSpec, margin: float = MARGIN) -> bool:
    """True when all pixel positions lie inside the picture with the margin."""
    w, h = camera.width_px, camera.height_px
    return bool((pixels[:, 0] >= margin * w).all() and (pixels[:, 0] <= (1 - margin) * w).all()
                and (pixels[:, 1] >= margin * h).all()
                and (pixels[:, 1] <= (1 - margin) * h).all())


def still_camera(phone: PhoneCam, view: str, vertices: np.ndarray, centre: np.ndarray,
                 stature_m: float) -> CameraSpec:
    """Camera for a still: distance from the fill, then backed off until the body fits."""
    yfov = phone.yfov_deg()
    visible = stature_m / phone.fill
    distance = visible / (2 * math.tan(math.radians(yfov) / 2))
    camera = CameraSpec(view, round(distance, 3), phone.height_m, round(yfov, 2),
                        phone.width_px, phone.height_px, off_axis_deg=phone.off_axis_deg,
                        roll_deg=phone.roll_deg)
    sample = vertices[::7]
    for _ in range(40):
        if inside(project(sample, camera, centre, stature_m), camera):
            break
        camera = replace(camera, distance_m=round(camera.distance_m * 1.05, 3))
    return camera


def walk_camera(phone: PhoneCam, view: str) -> CameraSpec:
    """Camera for a walk at the catalogue's distance (aimed later at the path's middle)."""
    return CameraSpec(view, float(phone.distance_m), phone.height_m,
                      round(phone.yfov_deg(), 2), phone.width_px, phone.height_px,
                      off_axis_deg=phone.off_axis_deg, roll_deg=phone.roll_deg)


def walkable_length(camera: CameraSpec, extent: np.ndarray, stature_m: float) -> float:
    """Longest path (m, along -Y, centred on the aim point) with the body always in view.

    `extent` holds points of the body relative to its own floor point, over a whole cycle
    (e.g. the corners of its bounding box). Returns 0 when it does not fit even mid-path.
    """
    centre = np.zeros(3)

    def fits(y: float) -> bool:
        return all(inside(project(extent + np.array([0.0, dy, 0.0]), camera, centre,
                                  stature_m), camera) for dy in (-y, y))

    if not fits(0.0):
        return 0.0
    lo, hi = 0.0, 20.0
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return 2 * lo


def box_corners(points: np.ndarray) -> np.ndarray:
    """The 8 corners of the axis-aligned box around points (N, 3)."""
    lo, hi = points.min(0), points.max(0)
    return np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1])
                     for z in (lo[2], hi[2])])
