"""The `conditions` object of a truth.json item: what the camera saw, in plain numbers."""

from __future__ import annotations

from .body import BodyShape
from .render import CameraSpec

# Walk styles' names (the item's posture) -> the condition's gait label.
GAIT_LABELS = {"normal": "normal", "bent_knee": "crouch", "knee_hyperextension": "hyperext",
               "stiff_gait": "stiff", "slow": "slow", "fast": "fast",
               "limp_left": "limp_left", "limp_right": "limp_right"}


def body_yaw_off_axis_deg(view: str, body_yaw_deg: float) -> float:
    """Off-axis angle that turning the body by yaw (face toward +X positive) amounts to.

    >>> body_yaw_off_axis_deg("side_left", 2.0), body_yaw_off_axis_deg("front", 2.0)
    (2.0, -2.0)
    """
    return body_yaw_deg if view == "side_left" else -body_yaw_deg


def conditions(view: str, camera: CameraSpec, shape: BodyShape, gait: str | None,
               body_yaw_deg: float = 0.0) -> dict:
    """Signed conditions of one item (see docs/synthetic.md).

    off_axis_deg: side views, + when the camera sits toward the subject's front; front
    views, + toward the subject's left. roll_deg: + when horizontals turn counter-clockwise in
    the picture. distance_m: camera to the subject (a walk: to the middle of the path).
    """
    off_axis = camera.off_axis_deg + body_yaw_off_axis_deg(view, body_yaw_deg)
    return {
        "view": view,
        "off_axis_deg": round(off_axis, 2),
        "roll_deg": round(camera.roll_deg, 2),
        "camera_height_m": round(camera.height_m, 3),
        "distance_m": round(camera.distance_m, 3),
        "gait": "standing" if gait is None else GAIT_LABELS.get(gait, gait),
        "body": shape.name,
        "clothing": shape.clothing,
    }
