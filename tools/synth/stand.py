"""Standing postures: commanded segment rotations, solved so the MEASURED truth hits a target.

The commanded angles are only a means: Anny's rest pose is not straight (its knees rest at
about 6 degrees of flexion), so the generator adjusts the commands by a few fixed-point steps
until the knee flexion and trunk inclination measured on the posed body reach the targets.
The truth written to truth.json is what is measured afterwards, not the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .body import (
    COCO,
    BodyModel,
    BodyShape,
    Posed,
    centre_of_mass,
    place_on_floor,
    rot_x,
    rot_y,
    rot_z,
)

SPINE_SHARE = {"spine05": 0.3, "spine04": 0.3, "spine03": 0.2, "spine02": 0.1, "spine01": 0.1}


@dataclass(frozen=True)
class StandSpec:
    """Targets of one standing posture (degrees, the engine's sign conventions)."""

    knee_flexion_deg: float = 1.0  # both knees, sagittal; hyperextension negative
    thigh_share: float = 0.5  # how much of the knee change the thigh takes (rest: shank)
    trunk_inclination_deg: float = 0.0  # backward positive
    weight_leg: str | None = None  # "left" / "right": stand on that leg, front-view posture
    lateral_shift_deg: float = 0.0  # stance leg tilt that moves the pelvis over the foot
    pelvic_drop_deg: float = 0.0  # free side drops by this much
    yaw_deg: float = 0.0  # small turn of the whole body about the vertical
    arm_hang_deg: float = 40.0  # brings Anny's A-pose arms down beside the body
    leg_adduction_deg: float = 4.0  # Anny's rest feet are wide apart; bring them in
    stance_load_pct: float = 85.0  # balanced weight shift: weight share on the stance foot
    arms_plumb: bool = False  # arms hang straight down whatever the trunk's lean


def _arms(spec: StandSpec, swing_left_deg: float = 0.0, swing_right_deg: float = 0.0) -> dict:
    return {
        "upperarm01.L": rot_x(swing_left_deg) @ rot_y(spec.arm_hang_deg),
        "upperarm01.R": rot_x(swing_right_deg) @ rot_y(-spec.arm_hang_deg),
        # Anny's rest elbows are bent about 40 deg; this lets the forearms hang.
        "lowerarm01.L": rot_x(30.0),
        "lowerarm01.R": rot_x(30.0),
    }


def stand_deltas(spec: StandSpec, knee_cmd_deg: float, trunk_cmd_deg: float,
                 free_knee_deg: float = 0.0, lean_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Bone deltas for a standing posture with the given commanded knee and trunk angles.

    `lean_deg` tilts the whole body forward about the ankles (feet kept flat), to bring the
    centre of mass over the feet.
    """
    deltas: dict[str, np.ndarray] = _arms(spec)
    thigh = spec.thigh_share * knee_cmd_deg  # thigh tilt forward (knee ahead of hip)
    shank = knee_cmd_deg - thigh  # shank tilt (knee ahead of ankle): ankle dorsiflexion
    # Pelvic drop on the free side: root rotation about Y; positive lowers the LEFT side.
    drop = 0.0
    shift = 0.0
    if spec.weight_leg == "left":
        drop, shift = -spec.pelvic_drop_deg, spec.lateral_shift_deg
    elif spec.weight_leg == "right":
        drop, shift = spec.pelvic_drop_deg, -spec.lateral_shift_deg
    root = rot_z(spec.yaw_deg) @ rot_y(drop)
    if lean_deg:
        root = rot_x(lean_deg) @ root
    deltas["root"] = root
    for side, s in (("left", "L"), ("right", "R")):
        # Positive rot_y swings a hanging leg's foot toward -X (the subject's right).
        tilt = shift + (spec.leg_adduction_deg if side == "left" else -spec.leg_adduction_deg)
        hip = rot_y(-drop) @ rot_y(tilt) @ rot_x(-thigh)
        knee = rot_x(thigh + shank)
        foot = rot_x(-shank) @ rot_y(-tilt)
        if spec.weight_leg is not None and side != spec.weight_leg:
            lift_thigh = 0.45 * free_knee_deg
            hip = hip @ rot_x(-lift_thigh)
            knee = knee @ rot_x(free_knee_deg)
            foot = rot_x(-(free_knee_deg - lift_thigh)) @ foot
        if lean_deg:  # undo the lean for the foot so it stays flat on the floor
            yaw = rot_z(spec.yaw_deg)
            foot = foot @ yaw.T @ rot_x(-lean_deg) @ yaw
        deltas[f"upperleg01.{s}"] = hip
        deltas[f"lowerleg01.{s}"] = knee
        deltas[f"foot.{s}"] = foot
    # Trunk: lean spread over the lumbar and thoracic bones; the neck brings the gaze back.
    for bone, share in SPINE_SHARE.items():
        deltas[bone] = rot_x(-share * trunk_cmd_deg)
    deltas["spine05"] = rot_y(-0.6 * drop) @ deltas["spine05"]
    deltas["neck01"] = rot_x(0.5 * trunk_cmd_deg)
    if spec.arms_plumb:  # the trunk's lean (and the whole-body lean) carried the arms
        for bone in ("upperarm01.L", "upperarm01.R"):
            deltas[bone] = rot_x(trunk_cmd_deg - lean_deg) @ deltas[bone]
    return deltas


def _free_foot_gap(body: BodyModel, shape: BodyShape, spec: StandSpec, knee: float,
                   trunk: float, free_knee: float, lean: float = 0.0) -> float:
    posed = body.pose(shape, [stand_deltas(spec, knee, trunk, free_knee, lean)])
    v = posed.vertices[0]
    stance = "left" if spec.weight_leg == "left" else "right"
    free = "right" if stance == "left" else "left"
    return float(v[body.foot_mask[free], 2].min() - v[body.foot_mask[stance], 2].min())


def solve_stand(body: BodyModel, shape: BodyShape, spec: StandSpec,
                balance: bool = False) -> tuple[Posed, dict]:
    """Pose a standing body so the measured knee and trunk angles reach the targets.

    With `balance`, the body is also tilted about the ankles until its centre of mass lies
    over the feet (BALANCE_AHEAD_M in front of the ankles), and with the weight on one leg
    the stance leg's tilt is solved so the centre of mass lies over that foot.
    """
    knee_cmd, trunk_cmd, free_knee, lean = 0.0, 0.0, 0.0, 0.0
    for _ in range(6 if balance else 4):
        if spec.weight_leg is not None:
            # Bend the free knee until that foot rests on the floor beside the stance foot.
            lo, hi = 0.0, 45.0
            for _ in range(14):
                mid = (lo + hi) / 2
                gap = _free_foot_gap(body, shape, spec, knee_cmd, trunk_cmd, mid, lean)
                lo, hi = (mid, hi) if gap < 0.002 else (lo, mid)
            free_knee = (lo + hi) / 2
        posed = body.pose(shape, [stand_deltas(spec, knee_cmd, trunk_cmd, free_knee, lean)])
        truth = posed.truth()
        if spec.weight_leg is None:
            knee_now = (truth["knee_flexion_left_deg"] + truth["knee_flexion_right_deg"]) / 2
        else:
            knee_now = truth[f"knee_flexion_{spec.weight_leg}_deg"]
        knee_cmd += spec.knee_flexion_deg - knee_now
        trunk_cmd += spec.trunk_inclination_deg - truth["trunk_inclination_deg"]
        if balance:
            d_lean, d_shift = balance_error_deg(body, posed, spec)
            lean += d_lean
            spec = replace(spec, lateral_shift_deg=spec.lateral_shift_deg + d_shift)
    posed = body.pose(shape, [stand_deltas(spec, knee_cmd, trunk_cmd, free_knee, lean)])
    place_on_floor(posed)
    commanded = {"knee_deg": knee_cmd, "trunk_deg": trunk_cmd, "free_knee_deg": free_knee}
    if balance:
        commanded |= {"lean_deg": lean, "lateral_shift_deg": spec.lateral_shift_deg}
        commanded |= balance_report(body, posed, spec)
    return posed, commanded


# ---------------------------------------------------------------- balance

BALANCE_AHEAD_M = 0.04  # quiet standing: centre of mass ~4 cm in front of the ankle joints


def _soles(body: BodyModel, posed: Posed) -> dict[str, np.ndarray]:
    """Each foot's vertices within 1 cm of its lowest point (its contact with the floor)."""
    verts = posed.vertices[0]
    out = {}
    for side in ("left", "right"):
        foot = verts[body.foot_mask[side]]
        out[side] = foot[foot[:, 2] < foot[:, 2].min() + 0.01]
    return out


def _support_target(body: BodyModel, posed: Posed, spec: StandSpec) -> np.ndarray:
    """Where the centre of mass belongs (x, y): between the feet, or with the weight on one
    leg at `stance_load_pct` of the way from the free foot to the stance foot (two supports
    share the load by the lever rule); BALANCE_AHEAD_M in front of the ankles."""
    soles = _soles(body, posed)
    k = posed.keypoints[0]
    share = {"left": 0.5, "right": 0.5}
    if spec.weight_leg is not None:
        free = "right" if spec.weight_leg == "left" else "left"
        share = {spec.weight_leg: spec.stance_load_pct / 100.0,
                 free: 1.0 - spec.stance_load_pct / 100.0}
    x = sum(share[s] * float(soles[s][:, 0].mean()) for s in share)
    y = sum(share[s] * float(k[COCO.index(f"{s}_ankle"), 1]) for s in share)
    return np.array([x, y - BALANCE_AHEAD_M])


def balance_error_deg(body: BodyModel, posed: Posed, spec: StandSpec) -> tuple[float, float]:
    """Corrections (whole-body lean, stance-leg tilt) that bring the centre of mass over
    its target: forward lean positive; tilt in StandSpec.lateral_shift_deg's sense."""
    com = centre_of_mass(posed.vertices[0], body.faces)
    target = _support_target(body, posed, spec)
    height = float(com[2] - posed.vertices[0][:, 2].min())
    # +Y is backward: a centre of mass behind its target needs more forward lean.
    d_lean = math.degrees(math.atan2(float(com[1] - target[1]), height))
    d_shift = 0.0
    if spec.weight_leg is not None:
        # More tilt of the stance leg moves the body toward that foot (left foot at +X).
        sign = 1.0 if spec.weight_leg == "left" else -1.0
        d_shift = math.degrees(math.atan2(sign * float(target[0] - com[0]), height))
    return d_lean, d_shift


def balance_report(body: BodyModel, posed: Posed, spec: StandSpec) -> dict:
    """Where the centre of mass lies over the feet, for truth.json (metres)."""
    com = centre_of_mass(posed.vertices[0], body.faces)
    soles = _soles(body, posed)
    k = posed.keypoints[0]
    ankle_y = np.mean([k[COCO.index(f"{s}_ankle"), 1] for s in ("left", "right")])
    both = np.concatenate([soles["left"], soles["right"]])
    left_x, right_x = (float(soles[s][:, 0].mean()) for s in ("left", "right"))
    return {"com_ahead_of_ankles_m": float(ankle_y - com[1]),
            "com_over_support": bool(both[:, 1].min() <= com[1] <= both[:, 1].max()
                                     and right_x <= com[0] <= left_x),
            "com_load_right_pct": 100.0 * (left_x - float(com[0])) / (left_x - right_x)}
