"""Walking: per-frame bone deltas from the gait curves, planted placement, contact events."""

from __future__ import annotations

import math

import numpy as np

from .body import BodyModel, BodyShape, Posed, measure_truth, rot_x, rot_y, rot_z
from .gait_curves import TOE_OFF_PCT, GaitStyle, joint_angles
from .stand import SPINE_SHARE, StandSpec, solve_stand

CONTACT_M = 0.012  # a foot touches the floor when its lowest vertex is this low
# Hip flexion in the normative curves is measured against the pelvis, which walks tilted
# forward by about 10 deg (Perry & Burnfield); the thigh's angle from vertical is the hip
# angle minus that tilt. Without it the leading foot would hang 12 cm above the floor at
# heel strike.
PELVIC_TILT_DEG = 16.0


def walk_deltas(style: GaitStyle, phase_right: float, rest_knee_deg: float,
                trunk_cmd_deg: float, arm_hang_deg: float = 40.0) -> dict[str, np.ndarray]:
    """Bone deltas at one instant; the left leg runs `style.left_offset()` of a cycle (half a
    cycle unless the gait limps) behind the right."""
    c = math.cos(2 * math.pi * phase_right)
    s = math.sin(2 * math.pi * phase_right)
    # Right hip forward at right heel strike (phase 0): turn the pelvis toward +X.
    root = rot_z(style.pelvis_rotation_deg * c) @ rot_y(style.pelvis_obliquity_deg * s)
    deltas: dict[str, np.ndarray] = {"root": root}
    left_phase = phase_right + (1.0 - style.left_offset())
    for side, s_lbl, phase in (("right", "R", phase_right), ("left", "L", left_phase)):
        a = joint_angles(style, np.array([phase]), side)
        hip, knee, ankle = (float(a[k][0]) for k in ("hip", "knee", "ankle"))
        # Undo the pelvis turn/tilt for the thighs so the legs swing in the walking plane.
        deltas[f"upperleg01.{s_lbl}"] = root.T @ rot_x(-(hip - PELVIC_TILT_DEG))
        deltas[f"lowerleg01.{s_lbl}"] = rot_x(knee - rest_knee_deg)
        deltas[f"foot.{s_lbl}"] = rot_x(-ankle)
    for bone, share in SPINE_SHARE.items():
        deltas[bone] = rot_x(-share * trunk_cmd_deg)
    # The thorax counter-rotates against the pelvis; the spine also undoes the pelvic tilt.
    deltas["spine05"] = rot_y(-style.pelvis_obliquity_deg * s) @ deltas["spine05"]
    deltas["spine01"] = rot_z(-(style.pelvis_rotation_deg + style.trunk_rotation_deg) * c) \
        @ deltas["spine01"]
    deltas["neck01"] = rot_z(style.trunk_rotation_deg * c) @ rot_x(0.5 * trunk_cmd_deg)
    # Arms swing opposite to the legs: left arm forward while the right leg is forward.
    swing = style.arm_swing_deg * c
    deltas["upperarm01.L"] = rot_x(-swing) @ rot_y(arm_hang_deg)
    deltas["upperarm01.R"] = rot_x(swing) @ rot_y(-arm_hang_deg)
    # Anny's rest elbows are bent about 40 deg: +30 lets them hang, the swing bends them more
    # on the forward swing as in normal walking.
    deltas["lowerarm01.L"] = rot_x(22.0 - 0.5 * max(swing, 0.0))
    deltas["lowerarm01.R"] = rot_x(22.0 - 0.5 * max(-swing, 0.0))
    return deltas


def _contact_events(times: np.ndarray, low_z: np.ndarray, side: str) -> list[dict]:
    """Heel strike = the foot's lowest point comes down to the floor; toe off = leaves it."""
    on = low_z < CONTACT_M
    events = []
    for i in range(1, len(times)):
        if on[i] == on[i - 1]:
            continue
        # Linear interpolation of the crossing time between the two frames.
        z0, z1 = low_z[i - 1] - CONTACT_M, low_z[i] - CONTACT_M
        frac = z0 / (z0 - z1) if z0 != z1 else 0.5
        t = float(times[i - 1] + frac * (times[i] - times[i - 1]))
        events.append({"side": side, "kind": "heel_strike" if on[i] else "toe_off",
                       "t_s": round(t, 3)})
    return events


def simulate_walk(body: BodyModel, shape: BodyShape, style: GaitStyle, fps: float,
                  duration_s: float, cycle_s: float, start_phase: float,
                  start_y_m: float, planted: bool = False) -> tuple[Posed, dict]:
    """Pose every frame, place the body on the floor walking toward -Y.

    The committed fixtures move at a steady speed; with `planted` the body moves so that the
    flat stance foot stays put (speed varies within the stride, as it does in a limp), and
    the events follow each leg's own timing.
    """
    _, cmd = solve_stand(body, shape, StandSpec(knee_flexion_deg=0.0,
                                                 trunk_inclination_deg=style.trunk_lean_deg))
    rest = body.pose(shape, [{}]).truth()
    rest_knee = (rest["knee_flexion_left_deg"] + rest["knee_flexion_right_deg"]) / 2
    n = int(round(duration_s * fps))
    times = np.arange(n) / fps
    phases = start_phase + times / cycle_s
    deltas = [walk_deltas(style, float(p), rest_knee, cmd["trunk_deg"], shape.arm_hang_deg)
              for p in phases]
    posed = body.pose(shape, deltas)
    # Steady forward speed = how fast the stance ankle moves back relative to the pelvis in
    # single support, so the planted foot hardly slides.
    ank = posed.keypoints[:, [body_kp("right_ankle"), body_kp("left_ankle")], 1]
    p_r = np.mod(phases, 1.0)
    if planted:
        forward = planted_path(style, phases, ank, times)
        speed = float(forward[-1] / times[-1]) if n > 1 else 1.2
    else:
        stance_r = (p_r > 0.12) & (p_r < 0.5)
        stance_l = (np.mod(p_r + 0.5, 1.0) > 0.12) & (np.mod(p_r + 0.5, 1.0) < 0.5)
        vel = np.gradient(ank, times, axis=0)
        samples = np.concatenate([vel[stance_r, 0], vel[stance_l, 1]])
        speed = float(np.median(samples)) if len(samples) else 1.2
        forward = speed * times
    for b in range(n):
        shift = np.array([0.0, start_y_m - forward[b], 0.0])
        shift[2] = -posed.vertices[b, :, 2].min()
        posed.vertices[b] += shift
        posed.keypoints[b] += shift
        for j in posed.rig[b]:
            posed.rig[b][j] = posed.rig[b][j] + shift
    low = {side: posed.vertices[:, body.foot_mask[side], 2].min(axis=1)
           for side in ("left", "right")}
    contact = sorted(_contact_events(times, low["left"], "left")
                     + _contact_events(times, low["right"], "right"), key=lambda e: e["t_s"])
    if planted:
        events = leg_events(style, start_phase, cycle_s, times[-1])
    else:
        events = phase_events(start_phase, cycle_s, times[-1])
    series: dict[str, list] = {"t_s": [round(float(t), 4) for t in times]}
    per_frame = [measure_truth(posed.keypoints[b], posed.rig[b]) for b in range(n)]
    for key in ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
                "pelvic_obliquity_deg", "knee_flexion_left_rig_deg", "knee_flexion_right_rig_deg"):
        series[key] = [round(float(f[key]), 2) for f in per_frame]
    series["phase_right"] = [round(float(p % 1.0), 4) for p in phases]
    info = {"speed_m_s": speed, "rest_knee_deg": rest_knee, "events": events,
            "contact_events": contact,
            "series": series, "trunk_cmd_deg": cmd["trunk_deg"]}
    return posed, info


def leg_phases(style: GaitStyle, phase_right: np.ndarray) -> dict[str, np.ndarray]:
    """Each leg's own phase (0 = its heel strike) from the right leg's phase."""
    return {"right": np.mod(phase_right, 1.0),
            "left": np.mod(phase_right + (1.0 - style.left_offset()), 1.0)}


def planted_path(style: GaitStyle, phases: np.ndarray, ankle_y: np.ndarray,
                 times: np.ndarray) -> np.ndarray:
    """Forward distance walked at each frame so that a flat stance foot does not slide.

    While a foot is flat (normative phase 12-45 %, warped to its own stance), the body moves
    forward as fast as that ankle moves backward relative to the body; between those windows
    the speed is interpolated. `ankle_y` is (frames, [right, left]).
    """
    vel = np.gradient(ankle_y, times, axis=0)
    own = leg_phases(style, phases)
    flat = np.full((len(times), 2), np.nan)
    for col, side in enumerate(("right", "left")):
        share = style.stance_share(side)
        lo, hi = 0.12 * share / 0.62, 0.45 * share / 0.62
        on = (own[side] > lo) & (own[side] < hi)
        flat[on, col] = vel[on, col]
    count = np.isfinite(flat).sum(axis=1)
    ok = count > 0
    mean = np.where(ok, np.nansum(flat, axis=1) / np.maximum(count, 1), 0.0)
    speed = np.interp(times, times[ok], mean[ok]) if ok.any() else np.full(len(times), 1.2)
    return np.concatenate([[0.0], np.cumsum((speed[1:] + speed[:-1]) / 2 * np.diff(times))])


def leg_events(style: GaitStyle, start_phase: float, cycle_s: float,
               end_s: float) -> list[dict]:
    """Heel strikes and toe-offs of both legs inside [0, end_s], each leg on its own timing.

    >>> from .gait_curves import NORMAL
    >>> [(e["side"], e["kind"]) for e in leg_events(NORMAL, 0.9, 1.0, 0.2)]
    [('right', 'heel_strike')]
    """
    events = []
    for side, offset in (("right", 0.0), ("left", style.left_offset())):
        for kind, at in (("heel_strike", 0.0), ("toe_off", style.stance_share(side))):
            # The event happens when the right leg's phase equals offset + at (mod 1).
            k = math.ceil(start_phase - offset - at)
            while (t := (k + offset + at - start_phase) * cycle_s) <= end_s:
                if t >= 0:
                    events.append({"side": side, "kind": kind, "t_s": round(t, 3)})
                k += 1
    return sorted(events, key=lambda e: e["t_s"])


def gait_timing(style: GaitStyle, cycle_s: float) -> dict:
    """Per-side stance share, step time and cadence of a gait style (the truth for a walk).

    A side's step time runs from that foot's heel strike to the other foot's next one, so
    the painful side of a limp (shorter stance) also has the shorter step time.
    """
    offset = style.left_offset()
    return {
        "stance_pct": {s: 100.0 * style.stance_share(s) for s in ("left", "right")},
        "step_time_s": {"right": offset * cycle_s, "left": (1.0 - offset) * cycle_s},
        "cadence_steps_per_min": 120.0 / cycle_s,
        "limp_side": style.painful_side,
    }


def phase_events(start_phase: float, cycle_s: float, end_s: float) -> list[dict]:
    """Heel strikes (phase 0) and toe-offs (TOE_OFF_PCT) of both legs inside [0, end_s].

    >>> [e["kind"] for e in phase_events(0.9, 1.0, 0.2)]
    ['heel_strike']
    """
    events = []
    for side, offset in (("right", 0.0), ("left", 0.5)):
        for kind, at in (("heel_strike", 0.0), ("toe_off", TOE_OFF_PCT / 100.0)):
            first = math.ceil(start_phase + offset - at)
            k = first
            while True:
                t = (k + at - start_phase - offset) * cycle_s
                if t > end_s:
                    break
                if t >= 0:
                    events.append({"side": side, "kind": kind, "t_s": round(t, 3)})
                k += 1
    return sorted(events, key=lambda e: e["t_s"])


def body_kp(name: str) -> int:
    from .body import COCO

    return COCO.index(name)
