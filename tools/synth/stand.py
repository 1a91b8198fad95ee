"""Standing postures: commanded segment rotations, solved so the MEASURED truth hits a target.

The commanded angles are only a means: Anny's rest pose is not straight (its knees rest at
about 6 degrees of flexion), so the generator adjusts the commands by a few fixed-point steps
until the knee flexion and trunk inclination measured on the posed body reach the targets.
The truth written to truth.json is what is measured afterwards, not the target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .body import BodyModel, BodyShape, Posed, place_on_floor, rot_x, rot_y, rot_z

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


def _arms(spec: StandSpec, swing_left_deg: float = 0.0, swing_right_deg: float = 0.0) -> dict:
    return {
        "upperarm01.L": rot_x(swing_left_deg) @ rot_y(spec.arm_hang_deg),
        "upperarm01.R": rot_x(swing_right_deg) @ rot_y(-spec.arm_hang_deg),
        # Anny's rest elbows are bent about 40 deg; this lets the forearms hang.
        "lowerarm01.L": rot_x(30.0),
        "lowerarm01.R": rot_x(30.0),
    }


def stand_deltas(spec: StandSpec, knee_cmd_deg: float, trunk_cmd_deg: float,
                 free_knee_deg: float = 0.0) -> dict[str, np.ndarray]:
    """Bone deltas for a standing posture with the given commanded knee and trunk angles."""
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
        deltas[f"upperleg01.{s}"] = hip
        deltas[f"lowerleg01.{s}"] = knee
        deltas[f"foot.{s}"] = foot
    # Trunk: lean spread over the lumbar and thoracic bones; the neck brings the gaze back.
    for bone, share in SPINE_SHARE.items():
        deltas[bone] = rot_x(-share * trunk_cmd_deg)
    deltas["spine05"] = rot_y(-0.6 * drop) @ deltas["spine05"]
    deltas["neck01"] = rot_x(0.5 * trunk_cmd_deg)
    return deltas


def _free_foot_gap(body: BodyModel, shape: BodyShape, spec: StandSpec, knee: float,
                   trunk: float, free_knee: float) -> float:
    posed = body.pose(shape, [stand_deltas(spec, knee, trunk, free_knee)])
    v = posed.vertices[0]
    stance = "left" if spec.weight_leg == "left" else "right"
    free = "right" if stance == "left" else "left"
    return float(v[body.foot_mask[free], 2].min() - v[body.foot_mask[stance], 2].min())


def solve_stand(body: BodyModel, shape: BodyShape, spec: StandSpec) -> tuple[Posed, dict]:
    """Pose a standing body so the measured knee and trunk angles reach the targets."""
    knee_cmd, trunk_cmd, free_knee = 0.0, 0.0, 0.0
    for _ in range(4):
        if spec.weight_leg is not None:
            # Bend the free knee until that foot rests on the floor beside the stance foot.
            lo, hi = 0.0, 45.0
            for _ in range(14):
                mid = (lo + hi) / 2
                gap = _free_foot_gap(body, shape, spec, knee_cmd, trunk_cmd, mid)
                lo, hi = (mid, hi) if gap < 0.002 else (lo, mid)
            free_knee = (lo + hi) / 2
        posed = body.pose(shape, [stand_deltas(spec, knee_cmd, trunk_cmd, free_knee)])
        truth = posed.truth()
        if spec.weight_leg is None:
            knee_now = (truth["knee_flexion_left_deg"] + truth["knee_flexion_right_deg"]) / 2
        else:
            knee_now = truth[f"knee_flexion_{spec.weight_leg}_deg"]
        knee_cmd += spec.knee_flexion_deg - knee_now
        trunk_cmd += spec.trunk_inclination_deg - truth["trunk_inclination_deg"]
    posed = body.pose(shape, [stand_deltas(spec, knee_cmd, trunk_cmd, free_knee)])
    place_on_floor(posed)
    commanded = {"knee_deg": knee_cmd, "trunk_deg": trunk_cmd, "free_knee_deg": free_knee}
    return posed, commanded
