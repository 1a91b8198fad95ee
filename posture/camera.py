"""Stage 4c: where the camera stands, measured from the body itself.

Two things a phone on a shelf gets wrong and every angle inherits:

- **roll** (the camera turned about its lens axis): every line's angle from vertical is off
  by the roll, so a trunk that is upright reads as leaning. Measured from the floor, which
  is level: while walking, the line through the feet's floor contacts (as Sports2D does
  with the toes in stance); standing facing the camera, the median slope of the body's
  left-right pairs (eyes, shoulders, hips, knees, feet); standing side-on it stays unknown
  (too little floor in view) and widens the error instead. Angles are corrected by
  rotating the landmarks back before anything is measured.
- **off-axis angle** (a "side" view that is really oblique): seen exactly side-on, the two
  shoulders and the two hips overlap; turned by an angle ``a`` they spread apart by about
  ``width * sin(a)``; which shoulder is drawn left of the other says whether it came round
  toward the chest or the back (standing, from behind, MediaPipe draws them closer), and
  standing, the knees and ankles spread the same way. Per frame, so a walker seen at the
  edge of a wide picture (perspective) counts as more oblique there than in the centre.
  Facing the camera, the turn comes from the feet (both point straight at a square-on
  camera), the nose against the shoulders and MediaPipe's depth of the shoulders,
  whichever two agree.

Sign convention: ``roll_deg`` is positive when level lines in the world appear turned
counter-clockwise in the picture (the floor rises to the right). Off-axis angles are
unsigned.

>>> floor = np.array([[x, 400.0 - 0.0524 * x] for x in range(0, 600, 20)])
>>> round(roll_from_floor_points(floor, leg_px=200.0), 1)
3.0
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.stats import theilslopes

from .config import CameraConfig
from .landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
    RIGHT_SHOULDER,
)

FEET = (LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX)


@dataclass
class CameraGeometry:
    """What the engine measured of the camera, and what it did about it."""

    roll_deg: float | None
    roll_source: str
    off_axis_deg: float | None  # median over the frames that are judged
    off_axis_source: str
    per_frame_off_axis_deg: np.ndarray  # (N,) NaN where it could not be measured
    corrected: bool  # landmarks were rotated back by the roll
    roll_uncertainty_deg: float  # what is left of the roll in angles from vertical
    notes: list[str] = field(default_factory=list)
    # Frames neither side nor front ("unknown" view): how far they are from a side view,
    # so a refusal can say how oblique the camera was.
    oblique_off_side_deg: float | None = None
    # How far the off-axis angle itself may be off (one standard deviation, degrees, as
    # measured on the dev renders): the checks add it to the angle when they weigh how much
    # an oblique camera bends their measurements.
    off_axis_error_deg: float = 0.0

    def to_dict(self) -> dict:
        return {
            "roll_deg": _round(self.roll_deg),
            "roll_source": self.roll_source,
            "off_axis_deg": _round(self.off_axis_deg),
            "off_axis_source": self.off_axis_source,
            "corrected": self.corrected,
            "notes": list(self.notes),
        }


def _round(value: float | None) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), 1)


# ------------------------------------------------------------------------------ roll


def roll_from_floor_points(points_px: np.ndarray, leg_px: float,
                           min_spread_leg: float = 1.0) -> float | None:
    """Roll from points that lie on the floor most of the time (the lowest foot point of
    each frame: one foot is always down in walking). A robust line (Theil-Sen) through
    them, refitted on the points at or below it, so the swing foot's lifts do not pull
    it up. None when the points span less than ``min_spread_leg`` leg lengths.
    """
    pts = points_px[np.isfinite(points_px).all(axis=1)]
    if len(pts) < 5 or not np.isfinite(leg_px) or np.ptp(pts[:, 0]) < min_spread_leg * leg_px:
        return None
    slope, intercept, _, _ = theilslopes(pts[:, 1], pts[:, 0])
    # Image y grows downward: a point above the line has a negative residual.
    residual = pts[:, 1] - (intercept + slope * pts[:, 0])
    low = pts[residual > -0.04 * leg_px]
    if len(low) >= 5 and np.ptp(low[:, 0]) >= min_spread_leg * leg_px:
        slope, _, _, _ = theilslopes(low[:, 1], low[:, 0])
    return float(-np.degrees(np.arctan(slope)))


def lowest_foot_points(xy_px: np.ndarray) -> np.ndarray:
    """(N, 2) the lowest of the heels and toes in each frame (NaN where none is seen)."""
    feet = xy_px[:, FEET]
    y = np.where(np.isfinite(feet[..., 1]), feet[..., 1], -np.inf)
    lowest = np.argmax(y, axis=1)
    out = feet[np.arange(len(feet)), lowest].copy()
    out[~np.isfinite(y).any(axis=1) | np.isneginf(y.max(axis=1))] = np.nan
    return out


def line_angle_deg(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Angle of the line through a and b (either order), counter-clockwise positive as seen
    in the picture, -90..90."""
    left = np.where((a[..., 0] <= b[..., 0])[..., None], a, b)
    right = np.where((a[..., 0] <= b[..., 0])[..., None], b, a)
    return np.degrees(np.arctan2(left[..., 1] - right[..., 1], right[..., 0] - left[..., 0]))


# Left-right landmark pairs whose line is level in a person standing square to the camera:
# eyes, ears, mouth, shoulders, hips, knees, ankles, heels, toes.
LEVEL_PAIRS = ((2, 5), (7, 8), (9, 10), (11, 12), (23, 24), (25, 26), (27, 28), (29, 30),
               (31, 32))


def roll_from_level_pairs(xy_px: np.ndarray, frames: np.ndarray) -> float | None:
    """Facing the camera: the median slope of nine left-right pairs (eyes to toes), each
    over ``frames``. One pair alone leans with the posture (a pelvis dropping on the free
    side, a raised heel, a tilted head: 3-6 deg on the renders of the dev split); their
    median stays within about 1.5 deg of level there. None without such frames."""
    slopes = []
    for left, right in LEVEL_PAIRS:
        angles = line_angle_deg(xy_px[frames, left], xy_px[frames, right])
        angles = angles[np.isfinite(angles)]
        if angles.size:
            slopes.append(float(np.median(angles)))
    return float(np.median(slopes)) if len(slopes) >= 5 else None


def both_feet_down(xy_px: np.ndarray, frames: np.ndarray, leg_px: float,
                   lift_leg: float) -> np.ndarray:
    """(N,) frames where each heel is within ``lift_leg`` leg lengths of the lowest it is
    drawn over ``frames`` (its own floor contact)."""
    down = frames.copy()
    for heel in (LEFT_HEEL, RIGHT_HEEL):
        y = np.where(frames, xy_px[:, heel, 1], np.nan)
        if not np.isfinite(y).any():
            return np.zeros(len(xy_px), dtype=bool)
        with np.errstate(invalid="ignore"):
            down &= np.nanpercentile(y, 95) - y <= lift_leg * leg_px
    return down


def rotate_about(xy_px: np.ndarray, angle_deg: float, centre_px: tuple[float, float]
                 ) -> np.ndarray:
    """Landmarks turned by ``angle_deg`` counter-clockwise as seen in the picture.

    >>> p = np.array([[[110.0, 100.0]]])
    >>> np.round(rotate_about(p, 90.0, (100.0, 100.0)), 6).tolist()
    [[[100.0, 90.0]]]
    """
    a = np.radians(angle_deg)
    cx, cy = centre_px
    dx, dy = xy_px[..., 0] - cx, xy_px[..., 1] - cy
    out = np.empty_like(xy_px)
    # Image y points down, so a counter-clockwise turn on screen is clockwise in (x, y).
    out[..., 0] = cx + dx * np.cos(a) + dy * np.sin(a)
    out[..., 1] = cy - dx * np.sin(a) + dy * np.cos(a)
    return out


# ------------------------------------------------------------------------------ off axis


def side_spread(xy_px: np.ndarray, signed: bool = False) -> np.ndarray:
    """(N,) apparent spread of the shoulders and of the hips against the torso height
    (shoulder centre to hip centre). ``signed``: positive when the camera has moved round
    toward the chest (the subject's left shoulder and hip drawn right of the right ones,
    as in a front view, whichever way the person faces), negative toward the back."""
    shoulders_dx = xy_px[:, LEFT_SHOULDER, 0] - xy_px[:, RIGHT_SHOULDER, 0]
    hips_dx = xy_px[:, LEFT_HIP, 0] - xy_px[:, RIGHT_HIP, 0]
    torso_px = np.linalg.norm(
        (xy_px[:, LEFT_SHOULDER] + xy_px[:, RIGHT_SHOULDER]) / 2
        - (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if signed:
            return (shoulders_dx + hips_dx) / 2 / torso_px
        return (np.abs(shoulders_dx) + np.abs(hips_dx)) / 2 / torso_px


def side_off_axis_deg(xy_px: np.ndarray, width_to_torso: float,
                      back_width_to_torso: float | None = None) -> np.ndarray:
    """(N,) how far a side view is turned toward a front or back view, from the spread of
    the shoulders and hips: ``asin(spread / width)``. With ``back_width_to_torso`` the
    spread is signed and a view turned toward the back uses that width: from behind
    MediaPipe draws the far shoulder and hip closer to the near ones (hidden behind the
    back), so the same turn spreads them less."""
    spread = side_spread(xy_px, signed=back_width_to_torso is not None)
    width = np.full(len(xy_px), width_to_torso)
    if back_width_to_torso is not None:
        width = np.where(spread < 0, back_width_to_torso, width_to_torso)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(spread) / width
    return np.degrees(np.arcsin(np.clip(ratio, 0.0, 1.0)))


def legs_off_axis_deg(xy_px: np.ndarray, leg_spread_to_torso: float) -> np.ndarray:
    """(N,) how far a side view of a person standing with the feet side by side is turned,
    from the second pair of widths a body shows: the knees and the ankles, about a hip
    width apart, appear ``spread * sin(a)`` apart. NaN where the far leg is hidden (it
    shows only once the camera has turned some way) and for feet set one before the
    other, which this cannot tell from a turn: use on standing frames only."""
    torso_px = np.linalg.norm(
        (xy_px[:, LEFT_SHOULDER] + xy_px[:, RIGHT_SHOULDER]) / 2
        - (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2, axis=-1)
    knees = np.abs(xy_px[:, LEFT_KNEE, 0] - xy_px[:, RIGHT_KNEE, 0])
    ankles = np.abs(xy_px[:, LEFT_ANKLE, 0] - xy_px[:, RIGHT_ANKLE, 0])
    pairs = np.vstack([knees, ankles])
    seen = np.isfinite(pairs).any(axis=0)
    mean = np.full(len(xy_px), np.nan)
    mean[seen] = np.nanmean(pairs[:, seen], axis=0)  # one pair alone where the other hides
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = mean / torso_px / leg_spread_to_torso
    return np.degrees(np.arcsin(np.clip(ratio, 0.0, 1.0)))


def feet_turn_deg(xy_px: np.ndarray, leg_px: float, foot_to_leg: float) -> np.ndarray:
    """(N,) how far a front or back view is turned, from the feet: square to the camera
    both feet point at it (toe-out cancels between the feet); turned, they point sideways
    by ``foot length * sin(a)`` on average."""
    toe_dx = (xy_px[:, LEFT_FOOT_INDEX, 0] - xy_px[:, LEFT_HEEL, 0]
              + xy_px[:, RIGHT_FOOT_INDEX, 0] - xy_px[:, RIGHT_HEEL, 0]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sideways = np.abs(toe_dx) / (foot_to_leg * leg_px)
    return np.degrees(np.arcsin(np.clip(sideways, 0.0, 1.0)))


def head_turn_deg(xy_px: np.ndarray, nose_per_tan: float) -> np.ndarray:
    """(N,) how far a front view is turned, from the head: the nose sits in front of the
    shoulder line, so a turned body shows it off the shoulders' centre by about
    ``nose_per_tan * tan(a)`` shoulder widths."""
    span = np.abs(xy_px[:, LEFT_SHOULDER, 0] - xy_px[:, RIGHT_SHOULDER, 0])
    centre = (xy_px[:, LEFT_SHOULDER, 0] + xy_px[:, RIGHT_SHOULDER, 0]) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.abs(xy_px[:, NOSE, 0] - centre) / span
    return np.degrees(np.arctan(offset / nose_per_tan))


def front_off_axis_deg(xy_px: np.ndarray, frames: np.ndarray, leg_px: float,
                       config: CameraConfig, world_yaw_deg: np.ndarray | None) -> np.ndarray:
    """(N,) how far a front or back view is turned: the median of three cues that err in
    different ways (on the dev split's renders each alone was off by up to 15 deg, their
    median by 5): the feet (only while both stand on their own floor contact: a lifted
    foot turns freely), the head against the shoulders, and MediaPipe's depth of the
    shoulder line. NaN outside ``frames``."""
    cues = np.full((3, len(xy_px)), np.nan)
    feet = frames & both_feet_down(xy_px, frames, leg_px, config.lifted_foot_leg)
    cues[0, feet] = feet_turn_deg(xy_px[feet], leg_px, config.foot_to_leg)
    cues[1, frames] = head_turn_deg(xy_px[frames], config.nose_per_tan)
    if world_yaw_deg is not None:
        cues[2, frames] = np.abs(world_yaw_deg[frames])
    out = np.full(len(xy_px), np.nan)
    seen = frames & (np.isfinite(cues).sum(axis=0) >= 2)
    out[seen] = np.nanmedian(cues[:, seen], axis=0)
    return out


def side_view_off_axis_deg(xy_px: np.ndarray, side: np.ndarray, standing: np.ndarray | None,
                           config: CameraConfig) -> np.ndarray:
    """(N,) off-axis angle of the side-view frames (``side``), NaN elsewhere.

    Standing (``standing``: the still frames of a standing recording): the signed spread
    of shoulders and hips, a narrower width when turned toward the back (the near arm
    hangs beside the trunk and hides the far shoulder and hip), and where the far leg
    shows, the mean of that and the spread of the knees and ankles. On the 60 side stills
    of the dev renders (0-35 deg off axis) the two cues err about equally (3-4 deg) and
    partly independently. Walking (``standing`` None): the unsigned spread with one
    width; on the dev walks' frames it shows no front/back difference (arms swing, the
    trunk turns with each step), and the legs stand one before the other."""
    out = np.full(len(xy_px), np.nan)
    if not side.any():
        return out
    if standing is None:
        out[side] = side_off_axis_deg(xy_px[side], config.side_width_to_torso)
        return out
    trunk = side_off_axis_deg(xy_px[side], config.side_width_to_torso,
                              config.side_back_width_to_torso)
    legs = np.full(len(trunk), np.nan)
    quiet = standing[side]
    legs[quiet] = legs_off_axis_deg(xy_px[side][quiet], config.side_leg_spread_to_torso)
    both = np.isfinite(legs) & np.isfinite(trunk)
    trunk[both] = (trunk[both] + legs[both]) / 2
    out[side] = trunk
    return out


# ------------------------------------------------------------------------------ together


def measure_camera(
    xy_px: np.ndarray,
    per_frame_view: np.ndarray,
    activity: str,
    still: np.ndarray,
    leg_px: float,
    config: CameraConfig,
    world_yaw_deg: np.ndarray | None = None,
) -> CameraGeometry:
    """Roll and off-axis angle of the camera from cleaned landmarks (before measurements)."""
    side = np.array([str(v).startswith("side") for v in per_frame_view], dtype=bool)
    frontal = np.array([v in ("front", "back") for v in per_frame_view], dtype=bool)
    notes: list[str] = []
    roll: float | None = None
    uncertainty = config.roll_unmeasured_uncertainty_deg
    mostly_frontal = frontal.sum() > side.sum()
    if not mostly_frontal and activity in ("walking", "running"):
        roll = roll_from_floor_points(lowest_foot_points(xy_px[side]), leg_px,
                                      config.floor_min_spread_leg)
        source = "floor contacts of the feet while walking"
        if roll is not None:
            uncertainty = config.roll_floor_uncertainty_deg
        else:
            source = "not measured: the feet did not cover enough floor"
    elif mostly_frontal:
        standing = frontal & still
        roll = roll_from_level_pairs(xy_px, standing) if standing.any() else None
        source = "left-right pairs of landmarks, eyes to toes"
        if roll is not None:
            uncertainty = config.roll_pairs_uncertainty_deg
        else:
            source = "not measured: the person was not seen standing still facing the camera"
    else:
        # Standing side-on, the floor shows only under the feet: a sole from heel to toe is
        # too short a line (+-6 deg on the renders of the dev split), so roll stays unknown
        # and enters the error of angles from vertical instead.
        source = ("not measured: standing side-on, too little floor is seen; angles from "
                  "vertical carry the error of a camera that may not be level")
    if roll is not None and abs(roll) > config.max_roll_deg:
        notes.append(f"The lines that should be level lean {roll:+.0f}°, more than a tilted "
                     "phone explains (a sloping floor, or a body leaning to one side); angles "
                     "were not corrected for it.")
        roll, source = None, f"not used: {source} leaned more than {config.max_roll_deg:.0f}°"
        uncertainty = config.roll_unmeasured_uncertainty_deg
    per_frame = np.full(len(xy_px), np.nan)
    per_frame[side] = side_view_off_axis_deg(xy_px, side,
                                             still if activity == "standing" else None,
                                             config)[side]
    per_frame[frontal] = front_off_axis_deg(xy_px, frontal, leg_px, config,
                                            world_yaw_deg)[frontal]
    judged = still if activity == "standing" and still.any() else np.ones(len(xy_px), bool)
    values = per_frame[judged & np.isfinite(per_frame)]
    off_axis = float(np.median(values)) if values.size else None
    if frontal.sum() >= max(1, side.sum()):
        off_source = "direction of the feet, the head against the shoulders, depth of the shoulders"
    else:
        off_source = "spread of the shoulders and hips (and of the knees and ankles standing)"
    if off_axis is None:
        off_source = "not measured"
    unknown = ~side & ~frontal & np.isfinite(xy_px[:, LEFT_SHOULDER, 0])
    oblique = side_off_axis_deg(xy_px[unknown], config.side_width_to_torso)
    oblique = oblique[np.isfinite(oblique)]
    error = (config.front_off_axis_error_deg if frontal.sum() >= max(1, side.sum())
             else config.side_off_axis_error_deg)
    return CameraGeometry(roll, source, off_axis, off_source, per_frame, roll is not None,
                          uncertainty, notes,
                          float(np.median(oblique)) if oblique.size else None, error)


def level_landmarks(xy_px: np.ndarray, camera: CameraGeometry,
                    frame_size_px: tuple[int, int]) -> np.ndarray:
    """Landmarks as a level camera would have drawn them (turned back by the roll)."""
    if camera.roll_deg is None or camera.roll_deg == 0:
        return xy_px
    width_px, height_px = frame_size_px
    return rotate_about(xy_px, -camera.roll_deg, (width_px / 2, height_px / 2))
