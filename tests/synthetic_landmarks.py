"""Stick figures with known geometry, as MediaPipe's 33 landmarks in pixels.

A figure is built in body coordinates (metres are not needed: lengths are fractions of the
body height) and projected orthographically onto the image:

- ``f`` forward (where the subject faces or walks), ``l`` toward the subject's LEFT, ``u`` up;
- the camera's azimuth picks the image x axis: image x = sin(az) * f + cos(az) * l, so
  ``front`` (az 0) shows the subject's left on the image right, ``side_right`` (az 90) shows
  the right side with the subject facing image-right, ``back`` (180), ``side_left`` (270)
  shows the left side with the subject facing image-left. Any other number is an oblique view.

Knees bend toward ``f`` by the signed flexion asked for (negative = hyperextension) with
fixed thigh and shank lengths, so the engine should measure exactly that angle in a side view.

>>> pose = standing(view="side_left", knee_flexion_left_deg=-10.0)
>>> pose.xy_px.shape
(60, 33, 2)
>>> times = heel_strike_times(Figure(activity="walking"), "left")
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.interpolate import PchipInterpolator

from posture.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_KNEE,
    MIRROR_INDEX,
    N_LANDMARKS,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_KNEE,
)
from posture.pose import PoseSequence
from posture.source import MediaInfo

VIEW_AZIMUTH_DEG = {"front": 0.0, "side_right": 90.0, "back": 180.0, "side_left": 270.0}

# Body proportions as fractions of the body height (Winter's anthropometric table, rounded).
THIGH = 0.245
SHANK = 0.245
TRUNK = 0.29  # hip centre -> shoulder centre
HIP_HALF_WIDTH = 0.055
SHOULDER_HALF_WIDTH = 0.11
UPPER_ARM = 0.18
FOREARM = 0.15
ANKLE_HEIGHT = 0.04
STRAIGHT_LEG = THIGH + SHANK  # hip-ankle length of a straight leg

# Walking knee flexion over a stride, relative to the least flexion in stance (phase 0 =
# heel strike). Monotone interpolation keeps the stance minimum exactly at phase 0.38.
_KNEE_PHASE = np.array([0.0, 0.13, 0.38, 0.60, 0.72, 0.88, 1.0])
_KNEE_EXTRA_DEG = np.array([4.0, 16.0, 0.0, 38.0, 62.0, 25.0, 4.0])
_KNEE_CURVE = PchipInterpolator(
    np.concatenate([_KNEE_PHASE[:-1] - 1, _KNEE_PHASE, _KNEE_PHASE[1:] + 1]),
    np.concatenate([_KNEE_EXTRA_DEG[:-1], _KNEE_EXTRA_DEG, _KNEE_EXTRA_DEG[1:]]),
)
STANCE_MIN_PHASE = 0.38


@dataclass(frozen=True)
class Figure:
    """Everything that defines a synthetic recording. Defaults: a neutral subject standing
    2 s side-on (left side seen) at 30 fps in a 1280 x 720 image, 560 px tall."""

    view: str | float = "side_left"  # a name in VIEW_AZIMUTH_DEG or an azimuth in degrees
    activity: str = "standing"  # "standing" | "walking"
    kind: str = "video"  # "video" | "image" (one frame) | "live"
    fps: float = 30.0
    duration_s: float = 2.0
    width_px: int = 1280
    height_px: int = 720
    body_height_px: float = 560.0
    # Standing posture (signs as in posture.config).
    knee_flexion_left_deg: float = 3.0
    knee_flexion_right_deg: float = 3.0
    trunk_inclination_deg: float = 0.0  # backward positive
    hip_forward_offset_pct: float = 0.0  # hip centre ahead of the ankles, % of STRAIGHT_LEG
    pelvic_obliquity_deg: float = 0.0  # left hip higher positive
    load_share_right_pct: float = 50.0  # hip centre between the ankles, 0 left .. 100 right
    stance_half_width: float = 0.09  # ankles this far either side of the midline
    # Walking: knee_flexion_*_deg become each side's least flexion in stance.
    cadence_steps_per_min: float = 110.0
    stance_pct: float = 60.0
    # A limp: the right foot's stance share when it differs from the left's (None: the
    # same). The right heel then strikes when both double supports are equal.
    stance_pct_right: float | None = None
    step_speed_leg_per_s: float = 1.2  # feet relative to the pelvis, in straight-leg lengths/s
    travel: bool = True  # False: walking in place / on a treadmill
    first_left_heel_strike_s: float = 0.3
    arm_swing_deg: float = 25.0  # amplitude of each arm's swing about hanging straight
    pelvis_rotation_deg: float = 5.0  # amplitude of pelvic rotation about vertical
    shoulder_rotation_deg: float = 7.0  # amplitude of thoracic counter-rotation
    # Detection quality.
    visibility: float = 0.95
    noise_px: float = 0.0
    seed: int = 0

    @property
    def azimuth_deg(self) -> float:
        return VIEW_AZIMUTH_DEG[self.view] if isinstance(self.view, str) else float(self.view)

    @property
    def stride_s(self) -> float:
        return 120.0 / self.cadence_steps_per_min

    @property
    def n_frames(self) -> int:
        return 1 if self.kind == "image" else int(round(self.duration_s * self.fps))

    @property
    def t_s(self) -> np.ndarray:
        return np.arange(self.n_frames) / self.fps

    @property
    def leg_px(self) -> float:
        """Thigh + shank in pixels: the scale the engine calls leg length."""
        return STRAIGHT_LEG * self.body_height_px


# --------------------------------------------------------------------------- truth


def side_stance_pct(figure: Figure, side: str) -> float:
    """Stance share (%) of one foot's stride."""
    if side == "right" and figure.stance_pct_right is not None:
        return float(figure.stance_pct_right)
    return float(figure.stance_pct)


def right_strike_offset(figure: Figure) -> float:
    """Fraction of the stride from a left heel strike to the next right one: 0.5 when the
    feet share the stride evenly; with unequal stances, where both double supports are
    equal (a limp hurries the sound foot down: the painful foot's stance is shorter)."""
    return (side_stance_pct(figure, "left") - side_stance_pct(figure, "right") + 100.0) / 200.0


def first_heel_strike_s(figure: Figure, side: str) -> float:
    first = figure.first_left_heel_strike_s
    return first if side == "left" else first + figure.stride_s * right_strike_offset(figure)


def gait_phase(figure: Figure, side: str, t_s: np.ndarray) -> np.ndarray:
    """0..1 through the stride of ``side``; 0 at its heel strikes."""
    return ((np.asarray(t_s) - first_heel_strike_s(figure, side)) / figure.stride_s) % 1.0


def _event_times(figure: Figure, side: str, phase_offset_s: float) -> np.ndarray:
    start = first_heel_strike_s(figure, side) + phase_offset_s
    k_min = math.ceil(-start / figure.stride_s)
    times = start + figure.stride_s * np.arange(k_min, k_min + 100)
    return times[(times >= 0) & (times <= (figure.n_frames - 1) / figure.fps)]


def heel_strike_times(figure: Figure, side: str) -> np.ndarray:
    """Times (s) of the heel strikes of ``side`` inside the recording."""
    return _event_times(figure, side, 0.0)


def toe_off_times(figure: Figure, side: str) -> np.ndarray:
    return _event_times(figure, side, side_stance_pct(figure, side) / 100 * figure.stride_s)


def true_knee_flexion_deg(figure: Figure, side: str, t_s: np.ndarray) -> np.ndarray:
    """The knee flexion the figure was built with, per time."""
    base = getattr(figure, f"knee_flexion_{side}_deg")
    t_s = np.asarray(t_s, dtype=float)
    if figure.activity != "walking":
        return np.full(t_s.shape, float(base))
    return base + _KNEE_CURVE(gait_phase(figure, side, t_s))


# --------------------------------------------------------------------------- building


def _knee(hip: np.ndarray, ankle: np.ndarray, flexion_deg: float) -> np.ndarray:
    """Knee between hip and ankle (body coordinates) making the given signed flexion with
    thigh THIGH and shank SHANK, bent toward +f (negative flexion bends it backward)."""
    axis = ankle - hip
    reach = np.linalg.norm(axis)
    axis = axis / reach
    forward = np.array([1.0, 0.0, 0.0])
    bend = forward - forward.dot(axis) * axis
    bend /= np.linalg.norm(bend)
    phi = math.radians(flexion_deg)
    # Law of sines in the hip-knee-ankle triangle: the knee's interior angle is 180 - phi.
    at_hip = math.asin(max(-1.0, min(1.0, SHANK * math.sin(phi) / reach)))
    return hip + THIGH * (math.cos(at_hip) * axis + math.sin(at_hip) * bend)


def _reach(flexion_deg: float) -> float:
    """Hip-ankle distance of a leg bent by ``flexion_deg``."""
    c = math.cos(math.radians(flexion_deg))
    return math.sqrt(THIGH**2 + SHANK**2 + 2 * THIGH * SHANK * c)


def _leg(hip: np.ndarray, ankle_f: float, ankle_l: float, flexion_deg: float):
    """Ankle (placed below the hip at the given horizontal position) and knee."""
    horizontal = math.hypot(ankle_f - hip[0], ankle_l - hip[1])
    drop = math.sqrt(max(_reach(flexion_deg) ** 2 - horizontal**2, 1e-9))
    ankle = np.array([ankle_f, ankle_l, hip[2] - drop])
    return ankle, _knee(hip, ankle, flexion_deg)


def _rotated(half_width: float, angle_deg: float) -> tuple[float, float]:
    """(f, l) of the LEFT point of a pair turned by ``angle_deg`` (left side forward)."""
    a = math.radians(angle_deg)
    return half_width * math.sin(a), half_width * math.cos(a)


def _body_points(figure: Figure, t: float, origin_f: float) -> np.ndarray:
    """(33, 3) body coordinates (f, l, u) of every landmark at time ``t``."""
    p = np.zeros((N_LANDMARKS, 3))
    walking = figure.activity == "walking"
    flex = {s: float(true_knee_flexion_deg(figure, s, np.array([t]))[0]) for s in ("left", "right")}

    if walking:
        hip_c = np.array([origin_f, 0.0, ANKLE_HEIGHT + _reach(8.0) * 0.97])
        phase_l = float(gait_phase(figure, "left", np.array([t]))[0])
        phase_r = float(gait_phase(figure, "right", np.array([t]))[0])
        pelvis_turn = figure.pelvis_rotation_deg * math.cos(2 * math.pi * phase_l)
        shoulder_turn = -figure.shoulder_rotation_deg * math.cos(2 * math.pi * phase_l)
        arm = {"left": figure.arm_swing_deg * math.cos(2 * math.pi * phase_r),
               "right": figure.arm_swing_deg * math.cos(2 * math.pi * phase_l)}
        ankle_rel = {}
        for side, phase in (("left", phase_l), ("right", phase_r)):
            # The standing foot moves back under the pelvis at the walking speed.
            stance = side_stance_pct(figure, side) / 100
            half_step = figure.step_speed_leg_per_s * STRAIGHT_LEG * stance * figure.stride_s / 2
            if phase <= stance:
                rel = half_step * (1 - 2 * phase / stance)
            else:
                u = (phase - stance) / (1 - stance)
                rel = -half_step + 2 * half_step * (1 - math.cos(math.pi * u)) / 2
            ankle_rel[side] = rel
        ankle_l = {"left": 0.05, "right": -0.05}
    else:
        w = figure.stance_half_width
        hip_f = origin_f + figure.hip_forward_offset_pct / 100 * STRAIGHT_LEG
        hip_l = w * (1 - figure.load_share_right_pct / 50)
        # The ankles are hung below the hips (``_leg``), so this height only sets how far
        # above the image bottom the feet end up.
        hip_c = np.array([hip_f, hip_l, ANKLE_HEIGHT + 0.97 * _reach(max(flex.values()))])
        pelvis_turn = shoulder_turn = 0.0
        arm = {"left": 0.0, "right": 0.0}
        ankle_rel = {"left": origin_f - hip_f, "right": origin_f - hip_f}
        ankle_l = {"left": w, "right": -w}

    # Pelvis: the left hip higher by the obliquity, the pair turned by the pelvic rotation.
    df, dl = _rotated(HIP_HALF_WIDTH, pelvis_turn)
    rise = HIP_HALF_WIDTH * math.tan(math.radians(figure.pelvic_obliquity_deg))
    hips = {"left": hip_c + (df, dl, rise), "right": hip_c + (-df, -dl, -rise)}
    for side, (h, k, a, heel, toe) in {
        "left": (LEFT_HIP, LEFT_KNEE, LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX),
        "right": (RIGHT_HIP, RIGHT_KNEE, RIGHT_ANKLE, RIGHT_HEEL, RIGHT_FOOT_INDEX),
    }.items():
        hip = hips[side]
        ankle, knee = _leg(hip, hip_c[0] + ankle_rel[side], ankle_l[side], flex[side])
        p[h], p[k], p[a] = hip, knee, ankle
        p[heel] = ankle + (-0.035, 0.0, -0.03)
        p[toe] = ankle + (0.11, 0.0, -0.045)
    if not walking and flex["left"] == flex["right"]:
        # Both feet stay on the floor however the pelvis tilts or shifts sideways (the knee
        # of the higher leg gives a little), as a standing body's do. (Knees bent unequally
        # keep their exact angles for the knee tests instead.)
        floor_z = min(p[LEFT_ANKLE][2], p[RIGHT_ANKLE][2])
        for k, a, heel, toe in ((LEFT_KNEE, LEFT_ANKLE, LEFT_HEEL, LEFT_FOOT_INDEX),
                                (RIGHT_KNEE, RIGHT_ANKLE, RIGHT_HEEL, RIGHT_FOOT_INDEX)):
            drop = np.array([0.0, 0.0, p[a][2] - floor_z])
            p[a], p[heel], p[toe] = p[a] - drop, p[heel] - drop, p[toe] - drop
            p[k] = p[k] - drop / 2

    # Trunk: shoulder centre above the hip centre, leaning back by the inclination.
    lean = math.radians(figure.trunk_inclination_deg)
    shoulder_c = hip_c + (-TRUNK * math.sin(lean), 0.0, TRUNK * math.cos(lean))
    df, dl = _rotated(SHOULDER_HALF_WIDTH, shoulder_turn)
    shoulders = {"left": shoulder_c + (df, dl, 0.0), "right": shoulder_c + (-df, -dl, 0.0)}
    p[11], p[12] = shoulders["left"], shoulders["right"]
    for side, (elbow, wrist, pinky, index, thumb) in {
        "left": (13, 15, 17, 19, 21), "right": (14, 16, 18, 20, 22)
    }.items():
        a = math.radians(arm[side])
        down = np.array([math.sin(a), 0.0, -math.cos(a)])
        p[elbow] = shoulders[side] + UPPER_ARM * down
        p[wrist] = p[elbow] + FOREARM * down
        p[pinky] = p[wrist] + 0.05 * down + (0.0, 0.01 if side == "left" else -0.01, 0.0)
        p[index] = p[wrist] + 0.06 * down
        p[thumb] = p[wrist] + 0.04 * down + (0.01, 0.0, 0.0)

    # Head: ears beside the skull, nose and eyes in front of them.
    head = shoulder_c + (0.0, 0.0, 0.12)
    p[7], p[8] = head + (0.0, 0.035, 0.0), head + (0.0, -0.035, 0.0)
    p[0] = head + (0.05, 0.0, -0.01)
    for i, (dl_, sign) in zip((1, 2, 3, 4, 5, 6), ((0.01, 1), (0.018, 1), (0.026, 1),
                                                  (0.01, -1), (0.018, -1), (0.026, -1)),
                              strict=True):
        p[i] = head + (0.045, sign * dl_, 0.008)
    p[9], p[10] = head + (0.045, 0.012, -0.035), head + (0.045, -0.012, -0.035)
    return p


def build(figure: Figure) -> PoseSequence:
    """The figure's landmarks as a ``PoseSequence`` in pixels (x right, y down)."""
    t_s = figure.t_s
    n = len(t_s)
    scale = figure.body_height_px
    az = math.radians(figure.azimuth_deg)
    x_axis = np.array([math.sin(az), math.cos(az), 0.0])
    toward_camera = np.array([math.cos(az), -math.sin(az), 0.0])
    ground_y = 0.95 * figure.height_px
    walking = figure.activity == "walking"
    speed = figure.step_speed_leg_per_s * STRAIGHT_LEG if walking and figure.travel else 0.0
    # Start so the walker crosses the middle of the picture half-way through the clip.
    start_f = -speed * t_s[-1] / 2 if n else 0.0
    centre_x = figure.width_px / 2

    xy = np.empty((n, N_LANDMARKS, 2))
    depth = np.empty((n, N_LANDMARKS))
    world = np.empty((n, N_LANDMARKS, 3))
    for i, t in enumerate(t_s):
        body = _body_points(figure, float(t), start_f + speed * float(t))
        # Travel shows in the image only along its forward component.
        xy[i, :, 0] = centre_x + scale * body @ x_axis
        xy[i, :, 1] = ground_y - scale * body[:, 2]
        depth[i] = -scale * body @ toward_camera
        hip_c = (body[LEFT_HIP] + body[RIGHT_HIP]) / 2
        world[i] = (body - hip_c) * 1.75  # metres for a 1.75 m subject, body axes
    if figure.noise_px > 0:
        rng = np.random.default_rng(figure.seed)
        xy = xy + rng.normal(0.0, figure.noise_px, xy.shape)
    visibility = np.full((n, N_LANDMARKS), float(figure.visibility))
    return PoseSequence(
        frame_index=np.arange(n), t_s=t_s.copy(), xy_px=xy, depth_px=depth,
        visibility=visibility, world_m=world, width_px=figure.width_px,
        height_px=figure.height_px, kind=figure.kind,
    )


def standing(**kwargs) -> PoseSequence:
    return build(Figure(activity="standing", **kwargs))


# A walker 400 px tall crosses ~940 px in 4 s: the whole stick figure stays in a 1280 px
# wide picture (landmarks outside the picture count as unseen).
WALKER_HEIGHT_PX = 400.0


def walking(**kwargs) -> PoseSequence:
    return build(figure(activity="walking", **kwargs))


def photo(**kwargs) -> PoseSequence:
    return build(Figure(kind="image", **kwargs))


def figure(**kwargs) -> Figure:
    """A Figure; walking clips default to 4 s (three strides a side) and a walker small
    enough to stay in the picture."""
    if kwargs.get("activity") == "walking":
        kwargs.setdefault("duration_s", 4.0)
        kwargs.setdefault("body_height_px", WALKER_HEIGHT_PX)
    return Figure(**kwargs)


def leg_length(pose: PoseSequence) -> float:
    """Median thigh + shank length in pixels over frames and sides (the engine's scale)."""
    lengths = []
    for hip, knee, ankle in ((LEFT_HIP, LEFT_KNEE, LEFT_ANKLE), (RIGHT_HIP, RIGHT_KNEE,
                                                                 RIGHT_ANKLE)):
        xy = pose.xy_px
        lengths.append(np.linalg.norm(xy[:, hip] - xy[:, knee], axis=-1)
                       + np.linalg.norm(xy[:, knee] - xy[:, ankle], axis=-1))
    values = np.concatenate(lengths)
    return float(np.median(values[np.isfinite(values)]))


def media_info(pose: PoseSequence, fps: float | None = 30.0) -> MediaInfo:
    """The MediaInfo a file holding these landmarks would have had."""
    if pose.kind == "image":
        return MediaInfo("image", pose.width_px, pose.height_px, None, None, 1, 0, None,
                         "synthetic.png")
    duration = float(pose.t_s[-1]) if len(pose) else 0.0
    kind = "live" if pose.kind == "live" else "video"
    return MediaInfo(kind, pose.width_px, pose.height_px, fps, duration, len(pose), 0, "h264",
                     None if kind == "live" else "synthetic.mp4")


# --------------------------------------------------------------------------- editing


def _copy(pose: PoseSequence, **changes) -> PoseSequence:
    fields_ = dict(
        frame_index=pose.frame_index.copy(), t_s=pose.t_s.copy(), xy_px=pose.xy_px.copy(),
        depth_px=pose.depth_px.copy(), visibility=pose.visibility.copy(),
        world_m=pose.world_m.copy(), width_px=pose.width_px, height_px=pose.height_px,
        kind=pose.kind,
    )
    fields_.update(changes)
    return PoseSequence(**fields_)


def concat(*poses: PoseSequence) -> PoseSequence:
    """One recording made of several, back to back in time (e.g. a turn to another view)."""
    first = poses[0]
    step = float(np.median(np.diff(first.t_s))) if len(first) > 1 else 1 / 30
    t_parts, start = [], 0.0
    for p in poses:
        t_parts.append(p.t_s - (p.t_s[0] if len(p) else 0.0) + start)
        start = t_parts[-1][-1] + step if len(p) else start
    return PoseSequence(
        frame_index=np.arange(sum(len(p) for p in poses)), t_s=np.concatenate(t_parts),
        xy_px=np.concatenate([p.xy_px for p in poses]),
        depth_px=np.concatenate([p.depth_px for p in poses]),
        visibility=np.concatenate([p.visibility for p in poses]),
        world_m=np.concatenate([p.world_m for p in poses]),
        width_px=first.width_px, height_px=first.height_px, kind=first.kind,
    )


def mirror(pose: PoseSequence) -> PoseSequence:
    """What MediaPipe would report on the horizontally flipped image: x flipped, and left
    and right labels exchanged (the mirror image of a person is a person with sides swapped)."""
    index = list(MIRROR_INDEX)
    xy = pose.xy_px[:, index].copy()
    xy[..., 0] = pose.width_px - xy[..., 0]
    return _copy(pose, xy_px=xy, depth_px=pose.depth_px[:, index],
                 visibility=pose.visibility[:, index], world_m=pose.world_m[:, index])


LEG_PAIRS = ((LEFT_KNEE, RIGHT_KNEE), (LEFT_ANKLE, RIGHT_ANKLE), (LEFT_HEEL, RIGHT_HEEL),
             (LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX))


def swap_legs(pose: PoseSequence, frames: Iterable[int]) -> PoseSequence:
    """MediaPipe's side-view fault: left and right leg (knee down) exchanged in ``frames``."""
    xy = pose.xy_px.copy()
    for i in frames:
        for left, right in LEG_PAIRS:
            xy[i, [left, right]] = xy[i, [right, left]]
    return _copy(pose, xy_px=xy)


def with_visibility(pose: PoseSequence, landmarks: Sequence[int], value: float,
                    frames: Iterable[int] | None = None) -> PoseSequence:
    """Set the visibility of some landmarks (in some frames, default all)."""
    vis = pose.visibility.copy()
    rows = np.arange(len(pose)) if frames is None else np.asarray(list(frames), dtype=int)
    vis[np.ix_(rows, np.asarray(landmarks, dtype=int))] = value
    return _copy(pose, visibility=vis)


def without_person(pose: PoseSequence, frames: Iterable[int] | None = None) -> PoseSequence:
    """Frames where MediaPipe found nobody: NaN landmarks, zero visibility."""
    rows = np.arange(len(pose)) if frames is None else np.asarray(list(frames), dtype=int)
    xy, vis = pose.xy_px.copy(), pose.visibility.copy()
    depth, world = pose.depth_px.copy(), pose.world_m.copy()
    xy[rows] = np.nan
    depth[rows] = np.nan
    world[rows] = np.nan
    vis[rows] = 0.0
    return _copy(pose, xy_px=xy, visibility=vis, depth_px=depth, world_m=world)


def replace_frames(pose: PoseSequence, other: PoseSequence, frames: Iterable[int]) -> PoseSequence:
    """Take ``frames`` from ``other`` (e.g. tracking jumped to another person)."""
    rows = np.asarray(list(frames), dtype=int)
    xy, vis = pose.xy_px.copy(), pose.visibility.copy()
    xy[rows] = other.xy_px[rows]
    vis[rows] = other.visibility[rows]
    return _copy(pose, xy_px=xy, visibility=vis)


def shifted(pose: PoseSequence, dx_px: float, dy_px: float = 0.0) -> PoseSequence:
    return _copy(pose, xy_px=pose.xy_px + (dx_px, dy_px))


__all__ = [
    "Figure", "build", "concat", "figure", "first_heel_strike_s", "gait_phase", "heel_strike_times",
    "leg_length", "media_info", "mirror", "photo", "replace", "replace_frames",
    "right_strike_offset", "shifted", "side_stance_pct",
    "standing", "swap_legs", "toe_off_times", "true_knee_flexion_deg", "walking",
    "with_visibility", "without_person",
]
