"""Normative sagittal joint angles over the gait cycle, as key points, and gait variants.

The key points trace the usual shapes of healthy adult walking at natural cadence as given by
Winter (Biomechanics and Motor Control of Human Movement, 1991/2009, sagittal hip/knee/ankle
ensemble averages) and Perry & Burnfield (Gait Analysis: Normal and Pathological Function,
2010): hip about 30 deg flexion at heel strike, peak extension about -10 deg near 50 %; knee a
loading-response flexion wave of about 18 deg at 15 %, near-extension (about 3-5 deg) in
mid/terminal stance, about 60 deg peak in swing near 72 %; ankle a small plantarflexion
after heel strike, about 10 deg dorsiflexion in terminal stance, about -20 deg plantarflexion
at toe-off (about 62 %). Values are rounded shapes, not a data set; phase 0 is heel strike.

Positive: hip flexion, knee flexion, ankle dorsiflexion (degrees).

Speed and limping variants (added for the validation/dev splits; the four original styles
are untouched): slow and fast walking change cadence, hip range and stance share the way
they do in healthy adults (stance ~65 % at slow, ~59 % at fast speed, Perry & Burnfield;
Hebenstreit et al. 2015). An antalgic (limping) gait shortens the stance of the painful leg
(here 54 % against 67 % on the sound side) and, for calf pain, reduces push-off: less ankle
plantarflexion and less hip extension at the end of the painful leg's stance. The curves
keep their shape; each leg's phase is time-warped so its toe-off falls at its stance share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

# (phase %, angle deg); the last point repeats the first for periodicity.
HIP = [(0, 30), (10, 27), (20, 19), (30, 10), (40, 1), (50, -8), (55, -10), (62, -3),
       (70, 12), (80, 25), (88, 31), (95, 31), (100, 30)]
KNEE = [(0, 3), (6, 11), (15, 18), (25, 13), (35, 6), (42, 5), (50, 14), (56, 26),
        (62, 38), (68, 55), (73, 61), (80, 57), (88, 38), (95, 12), (100, 3)]
ANKLE = [(0, 0), (7, -6), (15, 0), (30, 6), (42, 9), (50, 2), (56, -8), (62, -18),
         (68, -10), (76, 2), (85, 5), (93, 4), (100, 0)]
TOE_OFF_PCT = 62.0


def _spline(points: list[tuple[float, float]]) -> CubicSpline:
    x = np.array([p[0] for p in points], float) / 100.0
    y = np.array([p[1] for p in points], float)
    return CubicSpline(x, y, bc_type="periodic")


@dataclass(frozen=True)
class GaitStyle:
    """A gait pattern: the normative curves plus offsets/scales, and the pelvis/arm motion."""

    name: str
    hip_offset_deg: float = 0.0
    knee_offset_deg: float = 0.0
    knee_swing_scale: float = 1.0
    ankle_offset_deg: float = 0.0
    stance_knee_snap_deg: float = 0.0  # pushes the knee back into hyperextension in stance
    pelvis_rotation_deg: float = 4.0  # transverse rotation amplitude (+/-)
    pelvis_obliquity_deg: float = 4.0  # frontal drop amplitude (+/-)
    arm_swing_deg: float = 18.0  # shoulder flexion/extension amplitude (+/-)
    trunk_rotation_deg: float = 3.0  # counter-rotation of the thorax (+/-)
    trunk_lean_deg: float = -2.0  # mean sagittal trunk inclination (backward positive)
    # Variants (defaults = the normative curves, as used by the committed fixtures).
    hip_range_scale: float = 1.0  # hip excursion about its mean (longer/shorter strides)
    stance_pct: float = TOE_OFF_PCT  # stance share of each leg's cycle
    painful_side: str | None = None  # antalgic gait: "left" / "right"
    painful_stance_pct: float = TOE_OFF_PCT  # stance share of the painful leg
    painful_pushoff_scale: float = 1.0  # painful leg: push-off plantarflexion and hip ext.
    cycle_s_range: tuple[float, float] = (1.02, 1.14)  # stride time drawn from this range

    def stance_share(self, side: str) -> float:
        """Stance share (0..1) of one leg's cycle."""
        pct = self.painful_stance_pct if side == self.painful_side else self.stance_pct
        return pct / 100.0

    def left_offset(self) -> float:
        """Fraction of the cycle by which the left heel strike follows the right one.

        Chosen so both double-support periods are equal (0.5 for a symmetric gait).
        """
        return (self.stance_share("right") - self.stance_share("left") + 1.0) / 2.0


NORMAL = GaitStyle("normal")
CROUCH = GaitStyle("bent_knee", hip_offset_deg=14.0, knee_offset_deg=22.0,
                   knee_swing_scale=0.7, ankle_offset_deg=12.0, trunk_lean_deg=-6.0)
HYPEREXT = GaitStyle("knee_hyperextension", stance_knee_snap_deg=16.0, ankle_offset_deg=-3.0)
STIFF = GaitStyle("stiff_gait", pelvis_rotation_deg=0.0, pelvis_obliquity_deg=0.0,
                  arm_swing_deg=0.0, trunk_rotation_deg=0.0, knee_swing_scale=0.85)

SLOW = GaitStyle("slow", hip_range_scale=0.8, knee_swing_scale=0.9, stance_pct=65.0,
                 pelvis_rotation_deg=3.0, pelvis_obliquity_deg=3.0, arm_swing_deg=13.0,
                 cycle_s_range=(1.25, 1.38))
FAST = GaitStyle("fast", hip_range_scale=1.15, knee_swing_scale=1.05, stance_pct=59.0,
                 pelvis_rotation_deg=6.0, pelvis_obliquity_deg=5.0, arm_swing_deg=25.0,
                 trunk_lean_deg=-4.0, cycle_s_range=(0.9, 0.97))
_LIMP = dict(stance_pct=67.0, painful_stance_pct=54.0, painful_pushoff_scale=0.45,
             hip_range_scale=0.9, arm_swing_deg=15.0, cycle_s_range=(1.15, 1.28))
LIMP_LEFT = GaitStyle("limp_left", painful_side="left", **_LIMP)
LIMP_RIGHT = GaitStyle("limp_right", painful_side="right", **_LIMP)
HIP_MEAN_DEG = 12.0  # about the middle of the hip curve; hip_range_scale scales about it

_HIP, _KNEE, _ANKLE = _spline(HIP), _spline(KNEE), _spline(ANKLE)


def _stance_bump(phase: np.ndarray) -> np.ndarray:
    """A smooth 0..1 bump over mid/terminal stance (about 18-52 % of the cycle)."""
    x = (phase - 0.18) / 0.34
    return np.where((x > 0) & (x < 1), np.sin(np.pi * np.clip(x, 0, 1)) ** 2, 0.0)


def warp_phase(phase: np.ndarray, stance: float) -> np.ndarray:
    """Map a leg's own phase (toe-off at `stance`) to the normative phase (toe-off at 62 %).

    >>> float(warp_phase(np.array([0.55]), 0.55)[0]) == TOE_OFF_PCT / 100
    True
    """
    p = np.mod(phase, 1.0)
    to = TOE_OFF_PCT / 100.0
    return np.where(p < stance, p * to / stance, to + (p - stance) * (1 - to) / (1 - stance))


def joint_angles(style: GaitStyle, phase: np.ndarray,
                 side: str | None = None) -> dict[str, np.ndarray]:
    """Hip, knee, ankle angles (deg) at gait phases 0..1 (wrapped) of one leg.

    `side` matters only for an antalgic style (the painful leg has its own timing).
    """
    p = np.mod(phase, 1.0)
    stance = style.stance_share(side or "right")
    if stance != TOE_OFF_PCT / 100.0:
        p = warp_phase(p, stance)
    knee_base = _KNEE(p)
    # Scale the swing wave about its stance level so a stiff/crouch knee still swings less.
    knee = 3.0 + (knee_base - 3.0) * np.where(p > 0.5, style.knee_swing_scale, 1.0)
    knee = knee + style.knee_offset_deg - style.stance_knee_snap_deg * _stance_bump(p)
    hip = _HIP(p) + style.hip_offset_deg - 0.3 * style.stance_knee_snap_deg * _stance_bump(p)
    ankle = _ANKLE(p) + style.ankle_offset_deg
    if style.hip_range_scale != 1.0:
        hip = HIP_MEAN_DEG + (hip - HIP_MEAN_DEG) * style.hip_range_scale
    if side is not None and side == style.painful_side:
        # Less push-off: the calf is spared at the end of stance (both sides of zero meet).
        scale = style.painful_pushoff_scale
        late = (p > 0.4) & (p < 0.8)
        ankle = np.where(late & (ankle < 0), ankle * scale, ankle)
        hip = np.where(hip < 0, hip * scale, hip)
    return {"hip": hip, "knee": knee, "ankle": ankle}
