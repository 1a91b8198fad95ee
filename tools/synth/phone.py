"""Make one item of the validation or dev split: phone-like camera, balanced body, clothing.

Differences from the committed fixtures' items (tools/synth/generate.py `make_item`): the
camera may be rolled, off axis, low or high (always aimed at the body), its distance is
backed off until the body fits; a standing body is balanced (centre of mass over its
feet); a walk is placed so the flat stance foot does not slide, lasts as long as the walker
stays in the picture, and its truth gives each leg's own timing.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from .body import COCO, BodyModel, Posed
from .cameras import box_corners, inside, still_camera, walk_camera, walkable_length
from .clothing import dress
from .conditions import conditions
from .generate import (
    Item,
    _rounded,
    _write_mp4,
    _write_png,
    expected_findings,
    mediapipe_check,
)
from .render import CameraSpec, Renderer, camera_pose, project
from .splits import ALL_BODIES, ALL_STYLES
from .stand import solve_stand
from .walk import gait_timing, leg_events, leg_phases, simulate_walk

FPS = 30
MAX_WALK_S = 4.5  # keeps the engine's evaluation of a split within a few minutes
FLOOR_M = 200.0  # far edge close to the horizon
MIN_STRIDES = 3.0  # strides per side a walk should show where the distance allows
# Long-side fields of view to choose from (deg): a little zoom, the main lens, the ultrawide
# lens cropped (phones zoom digitally between lenses), the ultrawide.
LENSES_DEG = (56.0, 68.0, 82.0, 94.0, 106.0)


def _render(body: BodyModel, item: Item, posed: Posed, camera: CameraSpec,
            centre: np.ndarray, stature: float) -> list[np.ndarray]:
    shape, style = ALL_BODIES[item.body], ALL_STYLES[item.style]
    renderer = Renderer(camera.width_px, camera.height_px, FLOOR_M, align_floor=True)
    frames = []
    for b in range(len(posed.vertices)):
        verts = dress(body, shape, posed.vertices[b], posed.rig[b])
        colours = body.vertex_colours(shape, verts)
        frames.append(renderer.render(verts, body.faces, colours, camera, style, centre,
                                      stature))
    renderer.close()
    return frames


def make_still(item: Item, body: BodyModel, out: Path, check: bool) -> dict:
    shape = ALL_BODIES[item.body]
    spec = replace(item.stand, arm_hang_deg=shape.arm_hang_deg, arms_plumb=True)
    posed, commanded = solve_stand(body, shape, spec, balance=True)
    verts = posed.vertices[0]
    stature = float(verts[:, 2].max())
    centre = np.array([0.0, float(np.median(verts[:, 1])), 0.0])
    camera = still_camera(item.phone, item.view, dress(body, shape, verts, posed.rig[0]),
                          centre, stature)
    image = _render(body, item, posed, camera, centre, stature)[0]
    _write_png(out / item.file, image)
    truth = posed.truth()
    record = _head(item, camera, item.stand.yaw_deg)
    record["truth"] = _rounded(truth)
    record["expected_findings"] = expected_findings(item, truth)
    record["commanded"] = _rounded(commanded) | {"spec": asdict(spec)}
    pixels = project(posed.keypoints[0], camera, centre, stature)
    record["keypoints_px"] = {n: [round(float(x), 1) for x in pixels[i]]
                              for i, n in enumerate(COCO)}
    if check:
        record["_check"] = mediapipe_check(image)
    return _tail(record, item, stature, camera)


def _head(item: Item, camera: CameraSpec, body_yaw_deg: float) -> dict:
    return {"file": item.file, "kind": item.kind, "view": item.view,
            "activity": item.activity, "posture": item.posture,
            "borderline": item.borderline,
            "conditions": conditions(item.view, camera, ALL_BODIES[item.body],
                                     item.gait.name if item.gait else None, body_yaw_deg)}


def _tail(record: dict, item: Item, stature: float, camera: CameraSpec) -> dict:
    record["body"] = asdict(ALL_BODIES[item.body]) | {"stature_m": round(stature, 3)}
    record["camera"] = camera.to_dict()
    record["scene"] = asdict(ALL_STYLES[item.style])
    return record


# ---------------------------------------------------------------- walks


def _hip_y(posed: Posed) -> np.ndarray:
    k = posed.keypoints
    return (k[:, COCO.index("left_hip"), 1] + k[:, COCO.index("right_hip"), 1]) / 2


def plan_walk(item: Item, body: BodyModel, cycle: float,
              start_phase: float) -> tuple[CameraSpec, float, float]:
    """(camera, clip duration s, stature m) for a walk.

    The clip lasts as long as the walker stays fully in the picture (at most MAX_WALK_S).
    Without a lens in the catalogue, the narrowest of LENSES_DEG that shows MIN_STRIDES
    strides (or the whole MAX_WALK_S) is used, else the widest: what a phone user would pick
    to keep the walker large and in view.
    """
    shape = ALL_BODIES[item.body]
    probe, info = simulate_walk(body, shape, item.gait, 12, cycle * 1.05, cycle, start_phase,
                                0.0, planted=True)
    hip_y = _hip_y(probe)
    rel = np.concatenate([probe.vertices[b, ::5] - np.array([0.0, hip_y[b], 0.0])
                          for b in range(len(hip_y))])
    stature = float(np.ptp(body.pose(shape, [{}]).vertices[0][:, 2]))
    speed = float(info["speed_m_s"])
    wanted = min(MIN_STRIDES * speed * cycle, MAX_WALK_S * speed)
    lenses = [item.phone.long_fov_deg] if item.phone.long_fov_deg else LENSES_DEG
    for fov in lenses:
        camera = walk_camera(replace(item.phone, long_fov_deg=fov), item.view)
        length = walkable_length(camera, box_corners(rel), stature)
        if length >= wanted:
            break
    if length <= 0:
        raise ValueError(f"{item.file}: the body does not fit the picture at this distance")
    return camera, min(MAX_WALK_S, length / speed), stature


def stance_duration(item: Item, cycle: float, start_phase: float, strides: int) -> float:
    """Shortest clip (s, whole frames) in which each leg shows `strides` complete stance
    phases: heel strike 0.1 s or more after the start, toe-off 0.2 s or more before the end."""
    events = leg_events(item.gait, start_phase, cycle, 60.0)
    end = 0.0
    for side in ("left", "right"):
        strikes = [e["t_s"] for e in events
                   if e["side"] == side and e["kind"] == "heel_strike" and e["t_s"] >= 0.1]
        offs = [e["t_s"] for e in events if e["side"] == side and e["kind"] == "toe_off"]
        last = [min(t for t in offs if t > hs) for hs in strikes[:strides]][-1]
        end = max(end, last + 0.2)
    return math.ceil(end * FPS + 1) / FPS


def edge_walk(item: Item, body: BodyModel, cycle: float, start_phase: float):
    """A walk filmed like the committed fixture walks (generate._walk_camera), from the
    item's height, roll and off-axis angle: the clip shows LIMP_STRIDES stance phases per
    leg (and lasts at least LIMP_MIN_S), the camera is as close as keeps the walker's
    centre (mean vertex) within `edge_deg` of the optical axis in every frame, with the
    narrowest lens that keeps every vertex inside the picture with a 3 % margin.

    Returns (posed, info, camera, centre, stature, duration)."""
    from .splits import LIMP_MIN_S, LIMP_STRIDES

    shape = ALL_BODIES[item.body]
    duration = max(LIMP_MIN_S, stance_duration(item, cycle, start_phase, LIMP_STRIDES))
    posed, info = simulate_walk(body, shape, item.gait, FPS, duration, cycle, start_phase,
                                0.0, planted=True)
    stature = float(np.ptp(body.pose(shape, [{}]).vertices[0][:, 2]))
    hip_y = _hip_y(posed)
    centre = np.array([0.0, float(hip_y[0] + hip_y[-1]) / 2, 0.0])
    walker = posed.vertices.mean(axis=1)
    base = walk_camera(replace(item.phone, distance_m=1.0, long_fov_deg=60.0), item.view)

    def off_axis_deg(distance: float) -> float:
        pose = camera_pose(replace(base, distance_m=distance), centre, stature)
        p = (np.linalg.inv(pose)[:3, :3] @ walker.T).T + np.linalg.inv(pose)[:3, 3]
        return float(np.degrees(np.arctan2(np.hypot(p[:, 0], p[:, 1]), -p[:, 2])).max())

    lo, hi = 0.5, 60.0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if off_axis_deg(mid) <= item.camera["edge_deg"] else (mid, hi)
    camera = replace(base, distance_m=round(hi, 3))
    points = posed.vertices[:, ::4].reshape(-1, 3)

    def fits(fov_centi: int) -> bool:
        cam = replace(camera, yfov_deg=fov_centi / 100)
        return inside(project(points, cam, centre, stature), cam)

    low, high = 500, 9000
    if not fits(high):
        raise ValueError(f"{item.file}: the walk does not fit in the picture at any lens")
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if fits(mid) else (mid, high)
    return posed, info, replace(camera, yfov_deg=high / 100), centre, stature, duration


def make_walk(item: Item, body: BodyModel, out: Path, rng: np.random.Generator) -> dict:
    shape = ALL_BODIES[item.body]
    cycle = float(rng.uniform(*item.gait.cycle_s_range))
    start_phase = float(rng.uniform(0.0, 1.0))
    if "edge_deg" in item.camera:
        posed, info, camera, centre, stature, duration = edge_walk(item, body, cycle,
                                                                   start_phase)
    else:
        camera, duration, stature = plan_walk(item, body, cycle, start_phase)
        for _ in range(6):
            posed, info = simulate_walk(body, shape, item.gait, FPS, duration, cycle,
                                        start_phase, 0.0, planted=True)
            hip_y = _hip_y(posed)
            centre = np.array([0.0, float(hip_y[0] + hip_y[-1]) / 2, 0.0])
            if all(inside(project(posed.vertices[b, ::9], camera, centre, stature), camera,
                          0.01) for b in range(0, len(hip_y), 3)):
                break
            duration *= 0.92
    print(f"    walk {duration:.2f} s, {duration / cycle:.1f} strides, "
          f"{info['speed_m_s']:.2f} m/s", file=sys.stderr)
    frames = _render(body, item, posed, camera, centre, stature)
    _write_mp4(out / item.file, frames, FPS)
    record = _head(item, camera, 0.0)
    truth = walk_truth(item, info, cycle)
    record["truth"] = _rounded(truth)
    record["truth"]["stance_pct"] = {k: round(v, 1) for k, v in truth["stance_pct"].items()}
    record["truth"]["step_time_s"] = {k: round(v, 3) for k, v in truth["step_time_s"].items()}
    if truth["limp_side"] is None:
        del record["truth"]["limp_side"]
    record["expected_findings"] = expected_findings(item, truth)
    record["events"] = info["events"]
    record["contact_events"] = info["contact_events"]
    record["truth_series"] = info["series"]
    record["fps"] = FPS
    record["duration_s"] = round(len(frames) / FPS, 3)
    record["gait_style"] = asdict(item.gait)
    return _tail(record, item, stature, camera)


def walk_truth(item: Item, info: dict, cycle: float) -> dict:
    """Per-clip truth of a walk: stance-knee values on each leg's own stance, and timing."""
    series = info["series"]
    own = leg_phases(item.gait, np.array(series["phase_right"]))
    stance_knee = []
    for side in ("right", "left"):
        share = item.gait.stance_share(side)
        # 12-50 % of the normative cycle (loading response to terminal stance), warped.
        mid = (own[side] > 0.12 * share / 0.62) & (own[side] < 0.5 * share / 0.62)
        stance_knee.append(np.array(series[f"knee_flexion_{side}_deg"])[mid])
    stance_all = np.concatenate(stance_knee)
    timing = gait_timing(item.gait, cycle)
    return {
        "knee_flexion_left_deg": float(np.median(series["knee_flexion_left_deg"])),
        "knee_flexion_right_deg": float(np.median(series["knee_flexion_right_deg"])),
        "stance_knee_flexion_min_deg": float(stance_all.min()),
        "midstance_knee_flexion_deg": float(np.median(stance_all)),
        "trunk_inclination_deg": float(np.median(series["trunk_inclination_deg"])),
        "pelvic_obliquity_range_deg": float(np.ptp(series["pelvic_obliquity_deg"])),
        "pelvis_rotation_amplitude_deg": item.gait.pelvis_rotation_deg,
        "arm_swing_amplitude_deg": item.gait.arm_swing_deg,
        "pelvic_obliquity_deg": float(np.median(series["pelvic_obliquity_deg"])),
        "weight_leg": None,
        "speed_m_s": info["speed_m_s"],
        "cycle_s": cycle,
        "stride_length_m": info["speed_m_s"] * cycle,
        "cadence_steps_per_min": timing["cadence_steps_per_min"],
        "stance_pct": timing["stance_pct"],
        "step_time_s": timing["step_time_s"],
        "limp_side": timing["limp_side"],
        "_series": series, "_stance_knee_min_deg": float(stance_all.min()),
    }


def make_phone_item(item: Item, body: BodyModel, out: Path, rng: np.random.Generator,
                    check: bool) -> dict:
    """One validation/dev item (still or walk) with its truth record."""
    if item.kind == "image":
        return make_still(item, body, out, check)
    return make_walk(item, body, out, rng)
