"""Render synthetic subjects with known posture and write truth.json beside them.

Run by hand (needs requirements-synth.txt, not the app's requirements):

    PYOPENGL_PLATFORM=osmesa python3 -m tools.synth.generate tests/data/synthetic
    python3 -m tools.synth.generate OUT --only stand_side_left_neutral --check
    python3 -m tools.synth.generate tests/data/validation --split validation
    python3 -m tools.synth.generate tests/data/dev --split dev
    python3 -m tools.synth.generate tests/data/limp --split limp

`--split` picks the catalogue: the committed fixtures (default), the held-out validation
split, the development split or the held-out limp split (tools/synth/splits.py, made by
tools/synth/phone.py).

`--check` runs MediaPipe Pose on each still and prints a plain 2D hip-knee-ankle angle beside
the truth (a quick look at how far the detector is from the truth, not the engine).
The output is deterministic for a given seed and package versions.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

from .body import BodyModel, BodyShape  # noqa: E402
from .cameras import PhoneCam  # noqa: E402
from .conditions import conditions  # noqa: E402
from .gait_curves import CROUCH, HYPEREXT, NORMAL, STIFF, GaitStyle  # noqa: E402
from .render import CameraSpec, Renderer, SceneStyle, project  # noqa: E402
from .stand import StandSpec, solve_stand  # noqa: E402
from .walk import simulate_walk  # noqa: E402

FORMAT = "posture-synthetic/1"
SEED = 20240603

# Thresholds the expected findings follow (the engine's defaults), and the margin around
# each inside which a finding is left out as within measurement error.
HYPEREXT_DEG, HYPEREXT_MARGIN = -5.0, 2.5
BENT_DEG, BENT_LOW, BENT_HIGH = 10.0, 5.0, 13.0
HOLLOW_DEG, HOLLOW_LOW, HOLLOW_HIGH = 5.0, 3.0, 7.5
SHIFT_PCT, SHIFT_LOW, SHIFT_HIGH = 59.0, 55.0, 62.0

# Walks: the walker's centre is at most this far off the camera's axis at either end of the
# clip, and the whole body stays inside the picture with this margin (share of each side).
WALK_EDGE_DEG = 15.0
WALK_MARGIN = 0.03
# Frame size (width, height) of the committed walks: 720p-class 4:3, as a phone films, so the
# walker (about a third of the picture's height across a 5 s walk) is not unrealistically
# small. Items without `frame_px` keep the old defaults (stills 480x640, walks 640x480).
WALK_FRAME_PX = (960, 720)

BODIES = {
    "f1": BodyShape("f1", gender=1.0, age=0.70, weight=0.5, height=0.5,
                    skin_rgb=(226, 180, 150), shirt_rgb=(40, 90, 160), shorts_rgb=(45, 45, 55),
                    hair_rgb=(70, 45, 25), description="woman, young adult, average build"),
    "m1": BodyShape("m1", gender=0.0, age=0.80, weight=0.75, height=0.8, muscle=0.6,
                    skin_rgb=(200, 150, 115), shirt_rgb=(190, 60, 50),
                    shorts_rgb=(60, 70, 90), hair_rgb=(30, 25, 20),
                    description="man, middle-aged, tall and heavy"),
    "f2": BodyShape("f2", gender=0.9, age=0.92, weight=0.8, height=0.25,
                    skin_rgb=(150, 100, 70), shirt_rgb=(230, 230, 225),
                    shorts_rgb=(90, 60, 110), hair_rgb=(200, 200, 200),
                    description="woman, older, short and heavy"),
    "m2": BodyShape("m2", gender=0.1, age=0.67, weight=0.3, height=0.6, muscle=0.4,
                    skin_rgb=(110, 75, 55), shirt_rgb=(240, 200, 60), shorts_rgb=(30, 30, 35),
                    hair_rgb=(20, 15, 10), description="man, young, slim"),
    "m3": BodyShape("m3", gender=0.0, age=0.75, weight=0.55, height=0.45, muscle=0.9,
                    skin_rgb=(235, 195, 165), shirt_rgb=(60, 140, 80),
                    shorts_rgb=(170, 160, 140), hair_rgb=(120, 80, 40), long_trousers=True,
                    description="man, muscular, light long trousers"),
    "f3": BodyShape("f3", gender=1.0, age=0.68, weight=0.2, height=0.9,
                    skin_rgb=(180, 130, 95), shirt_rgb=(150, 40, 90), shorts_rgb=(40, 60, 120),
                    hair_rgb=(40, 25, 15), description="woman, young, tall and slim"),
}

STYLES = [
    SceneStyle(3.0, 30, 45, 0.30, (205, 205, 195), (150, 130, 110), "plain", 1),
    SceneStyle(2.5, -40, 35, 0.35, (170, 190, 210), (110, 110, 115), "gradient", 2),
    SceneStyle(3.5, 20, 60, 0.25, (225, 215, 190), (120, 90, 70), "stripes", 3),
    SceneStyle(2.8, -25, 40, 0.30, (190, 200, 180), (160, 160, 150), "tiles", 4),
    SceneStyle(3.2, 45, 50, 0.28, (215, 200, 205), (95, 85, 80), "noise", 5),
    SceneStyle(2.2, -10, 30, 0.40, (120, 130, 140), (180, 170, 150), "plain", 6),
]


@dataclass
class Item:
    """One still or clip to make."""

    file: str
    kind: str  # image | video
    view: str
    activity: str
    posture: str
    body: str
    style: int
    stand: StandSpec | None = None
    gait: GaitStyle | None = None
    borderline: bool = False
    camera: dict = field(default_factory=dict)  # overrides: distance/height/fov/fill/edge_deg
    phone: PhoneCam | None = None  # validation/dev splits: phone-camera conditions
    duration_s: float = 2.4  # walks: clip length
    frame_px: tuple[int, int] | None = None  # (width, height); None: 480x640 / 640x480


def _stand(name: str, view: str, posture: str, body: str, style: int, borderline: bool = False,
           cam: dict | None = None, **spec) -> Item:
    return Item(f"{name}.png", "image", view, "standing", posture, body, style,
                stand=StandSpec(**spec), borderline=borderline, camera=cam or {})


def catalogue() -> list[Item]:
    """The committed fixture set."""
    s = _stand
    items = [
        # Neutral.
        s("stand_side_left_neutral_f1", "side_left", "neutral", "f1", 0, knee_flexion_deg=1.5),
        s("stand_side_right_neutral_m1", "side_right", "neutral", "m1", 1, knee_flexion_deg=2.0,
          yaw_deg=2.0),
        s("stand_side_left_neutral_m2", "side_left", "neutral", "m2", 2, knee_flexion_deg=0.5,
          cam={"fov": 55}),
        s("stand_front_neutral_f2", "front", "neutral", "f2", 3, knee_flexion_deg=2.0),
        s("stand_front_neutral_m3", "front", "neutral", "m3", 4, knee_flexion_deg=1.0),
        # Knee hyperextension.
        s("stand_side_left_hyperext08_m1", "side_left", "knee_hyperextension", "m1", 3,
          knee_flexion_deg=-8.0, thigh_share=0.4),
        s("stand_side_right_hyperext12_f1", "side_right", "knee_hyperextension", "f1", 4,
          knee_flexion_deg=-12.0),
        s("stand_side_left_hyperext15_f3", "side_left", "knee_hyperextension", "f3", 5,
          knee_flexion_deg=-15.0, thigh_share=0.6, cam={"fov": 35}),
        s("stand_side_right_hyperext12_m3", "side_right", "knee_hyperextension", "m3", 0,
          knee_flexion_deg=-12.0, yaw_deg=-2.5),
        # Bent knees (hips flexed, ankles dorsiflexed, feet flat).
        s("stand_side_left_bent20_f2", "side_left", "bent_knee", "f2", 1, knee_flexion_deg=20.0),
        s("stand_side_right_bent30_m2", "side_right", "bent_knee", "m2", 2, knee_flexion_deg=30.0,
          thigh_share=0.55),
        s("stand_side_right_bent20_m1", "side_right", "bent_knee", "m1", 5, knee_flexion_deg=20.0,
          cam={"height": 1.4}),
        s("stand_side_left_bent30_f1", "side_left", "bent_knee", "f1", 3, knee_flexion_deg=30.0,
          thigh_share=0.45),
        # Hollow back: upper body back, knees pressed back, hips ahead of the ankles.
        s("stand_side_left_hollow12_f1", "side_left", "hollow_back", "f1", 2,
          trunk_inclination_deg=12.0, knee_flexion_deg=-3.0, thigh_share=0.7),
        s("stand_side_right_hollow16_m2", "side_right", "hollow_back", "m2", 0,
          trunk_inclination_deg=16.0, knee_flexion_deg=-9.0, thigh_share=0.6),
        s("stand_side_left_hollow20_m3", "side_left", "hollow_back", "m3", 4,
          trunk_inclination_deg=20.0, knee_flexion_deg=-10.0, thigh_share=0.6),
        s("stand_side_right_hollow14_f3", "side_right", "hollow_back", "f3", 1,
          trunk_inclination_deg=14.0, knee_flexion_deg=-2.0, thigh_share=0.8,
          cam={"fov": 50, "height": 0.8}),
        # Weight on one leg, front view.
        s("stand_front_weight_left_f1", "front", "weight_shift", "f1", 5, weight_leg="left",
          lateral_shift_deg=6.0, pelvic_drop_deg=5.0),
        s("stand_front_weight_right_m1", "front", "weight_shift", "m1", 2, weight_leg="right",
          lateral_shift_deg=6.0, pelvic_drop_deg=4.0),
        s("stand_front_weight_left_m2", "front", "weight_shift", "m2", 0, weight_leg="left",
          lateral_shift_deg=7.0, pelvic_drop_deg=6.0, cam={"fov": 50}),
        s("stand_front_weight_right_f2", "front", "weight_shift", "f2", 4, weight_leg="right",
          lateral_shift_deg=6.5, pelvic_drop_deg=5.0),
        # Borderline cases near each threshold.
        s("stand_side_left_border_knee-4_m1", "side_left", "knee_hyperextension", "m1", 2,
          borderline=True, knee_flexion_deg=-4.0),
        s("stand_side_right_border_knee-6_f3", "side_right", "knee_hyperextension", "f3", 3,
          borderline=True, knee_flexion_deg=-6.0),
        s("stand_side_left_border_flex04_f2", "side_left", "bent_knee", "f2", 0,
          borderline=True, knee_flexion_deg=4.0),
        s("stand_side_right_border_flex12_m3", "side_right", "bent_knee", "m3", 5,
          borderline=True, knee_flexion_deg=12.0),
        s("stand_side_left_border_trunk05_m2", "side_left", "hollow_back", "m2", 1,
          borderline=True, trunk_inclination_deg=5.0, knee_flexion_deg=-1.0, thigh_share=0.7),
        s("stand_front_border_weight_left_f3", "front", "weight_shift", "f3", 2,
          borderline=True, weight_leg="left", lateral_shift_deg=0.8, pelvic_drop_deg=1.5),
    ]
    # Walks: long enough that each leg shows four complete stance phases (its heel strike at
    # 0.1 s or later, its toe-off at least 0.2 s before the end) at the item's own cadence
    # and starting phase; the camera stands far enough away that the walker is never more
    # than WALK_EDGE_DEG off its axis, with the narrowest lens that keeps the whole walk in
    # the picture (see _walk_camera), filmed at WALK_FRAME_PX.
    walks = [
        ("walk_side_left_normal_f1", "side_left", NORMAL, "f1", 0, 4.9),
        ("walk_side_right_normal_m1", "side_right", NORMAL, "m1", 2, 4.9),
        ("walk_side_left_crouch_m2", "side_left", CROUCH, "m2", 3, 5.5),
        ("walk_side_right_hyperext_f3", "side_right", HYPEREXT, "f3", 4, 4.7),
        ("walk_side_left_stiff_m3", "side_left", STIFF, "m3", 1, 5.5),
    ]
    for name, view, gait, body, style, duration in walks:
        items.append(Item(f"{name}.mp4", "video", view, "walking", gait.name, body, style,
                          gait=gait, camera={"edge_deg": WALK_EDGE_DEG}, duration_s=duration,
                          frame_px=WALK_FRAME_PX))
    return items


# ---------------------------------------------------------------- expected findings


def expected_findings(item: Item, truth: dict) -> dict[str, str]:
    """Findings the view allows, left out where the truth is within error of the threshold."""
    out: dict[str, str] = {}
    side = item.view.startswith("side")
    if item.activity == "standing":
        if side:
            knee = min(truth["knee_flexion_left_deg"], truth["knee_flexion_right_deg"])
            bent = max(truth["knee_flexion_left_deg"], truth["knee_flexion_right_deg"])
            if knee <= HYPEREXT_DEG - HYPEREXT_MARGIN:
                out["knee_hyperextension"] = "detected"
            elif knee >= HYPEREXT_DEG + HYPEREXT_MARGIN:
                out["knee_hyperextension"] = "not_detected"
            if bent >= BENT_HIGH:
                out["bent_knee"] = "detected"
            elif bent <= BENT_LOW:
                out["bent_knee"] = "not_detected"
            trunk = truth["trunk_inclination_deg"]
            forward = truth["hips_forward_of_ankles_m"] > 0.0
            if trunk >= HOLLOW_HIGH and forward:
                out["hollow_back"] = "detected"
            elif trunk <= HOLLOW_LOW:
                out["hollow_back"] = "not_detected"
        else:
            share = truth["load_share_right_pct"]
            top = max(share, 100 - share)
            if top >= SHIFT_HIGH:
                out["weight_shift"] = "detected"
            elif top <= SHIFT_LOW:
                out["weight_shift"] = "not_detected"
    else:
        series = truth["_series"]
        stance_min = truth["_stance_knee_min_deg"]
        if stance_min <= HYPEREXT_DEG - HYPEREXT_MARGIN:
            out["knee_hyperextension"] = "detected"
        elif stance_min >= HYPEREXT_DEG + HYPEREXT_MARGIN:
            out["knee_hyperextension"] = "not_detected"
        if stance_min >= BENT_HIGH:
            out["bent_knee"] = "detected"
        elif stance_min <= BENT_LOW:
            out["bent_knee"] = "not_detected"
        del series
        out["reduced_trunk_pelvis_motion"] = (
            "detected" if item.posture == "stiff_gait" else "not_detected")
    return out


# ---------------------------------------------------------------- cameras


def _camera(item: Item, rng: np.random.Generator, body_height_m: float) -> CameraSpec:
    over = item.camera
    if item.kind == "image":
        width, height = item.frame_px or (480, 640)
        fill = over.get("fill", float(rng.uniform(0.62, 0.8)))
    else:
        width, height = item.frame_px or (640, 480)
        fill = over.get("fill", float(rng.uniform(0.45, 0.52)))
    fov = over.get("fov", float(rng.uniform(38, 48)))
    visible = body_height_m / fill
    distance = visible / (2 * math.tan(math.radians(fov) / 2))
    cam_height = over.get("height", float(rng.uniform(0.85, 1.25)))
    return CameraSpec(item.view, round(distance, 3), cam_height, round(fov, 2), width, height)


def _walk_camera(camera: CameraSpec, vertices: np.ndarray, centre: np.ndarray,
                 stature: float, edge_deg: float, margin: float = WALK_MARGIN) -> CameraSpec:
    """Camera for a whole walk: far enough away that the walker's centre (mean vertex) is
    never more than `edge_deg` off the camera's axis, then the narrowest lens (vertical field
    of view, 0.01 deg steps) that keeps every vertex of every frame inside the picture with
    `margin` of each side to spare. `vertices`: (frames, N, 3)."""
    along = np.abs(vertices[:, :, 1].mean(axis=1) - centre[1])
    distance = round(float(along.max()) / math.tan(math.radians(edge_deg)), 3)
    points = vertices[:, ::4].reshape(-1, 3)
    lo_x, hi_x = margin * camera.width_px, (1 - margin) * camera.width_px
    lo_y, hi_y = margin * camera.height_px, (1 - margin) * camera.height_px

    def fits(fov_centi: int) -> bool:
        cam = replace(camera, distance_m=distance, yfov_deg=fov_centi / 100)
        px = project(points, cam, centre, stature)
        return bool((px[:, 0].min() >= lo_x) & (px[:, 0].max() <= hi_x)
                    & (px[:, 1].min() >= lo_y) & (px[:, 1].max() <= hi_y))

    low, high = 500, 9000  # 5-90 deg, in hundredths
    if not fits(high):
        raise ValueError("the walk does not fit in the picture at any lens")
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if fits(mid) else (mid, high)
    return replace(camera, distance_m=distance, yfov_deg=high / 100)


# ---------------------------------------------------------------- MediaPipe quick check


def _angle2d(a, b, c) -> float:
    u, v = np.asarray(a) - b, np.asarray(c) - b
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    return 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def mediapipe_check(image: np.ndarray) -> dict | None:
    """Unsigned 2D knee flexion per side from MediaPipe Pose, or None when no person."""
    import mediapipe as mp

    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        res = pose.process(image)
    if res.pose_landmarks is None:
        return None
    h, w = image.shape[:2]
    lm = res.pose_landmarks.landmark

    def p(i):
        return np.array([lm[i].x * w, lm[i].y * h])

    return {side: _angle2d(p(a), p(b), p(c)) for side, (a, b, c) in
            {"left": (23, 25, 27), "right": (24, 26, 28)}.items()} | {
        "vis_left": lm[25].visibility, "vis_right": lm[26].visibility}


# ---------------------------------------------------------------- writing


def _rounded(d: dict) -> dict:
    return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in d.items()
            if not k.startswith("_")}


def _write_png(path: Path, image: np.ndarray) -> None:
    from PIL import Image

    Image.fromarray(image).save(path, optimize=True)


def _write_mp4(path: Path, frames: list[np.ndarray], fps: int) -> None:
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "27", "preset": "medium"}
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def make_item(item: Item, body: BodyModel, out: Path, rng: np.random.Generator,
              check: bool) -> dict:
    shape = BODIES[item.body]
    style = STYLES[item.style]
    record: dict = {"file": item.file, "kind": item.kind, "view": item.view,
                    "activity": item.activity, "posture": item.posture,
                    "borderline": item.borderline}
    if item.kind == "image":
        posed, commanded = solve_stand(body, shape, item.stand)
        verts = posed.vertices[0]
        stature = float(verts[:, 2].max())
        camera = _camera(item, rng, stature)
        centre = np.array([0.0, float(np.median(verts[:, 1])), 0.0])
        renderer = Renderer(camera.width_px, camera.height_px)
        colours = body.vertex_colours(shape, verts)
        image = renderer.render(verts, body.faces, colours, camera, style, centre, stature)
        renderer.close()
        _write_png(out / item.file, image)
        truth = posed.truth()
        record["truth"] = _rounded(truth)
        record["expected_findings"] = expected_findings(item, truth)
        record["commanded"] = _rounded(commanded) | {"spec": asdict(item.stand)}
        keypoints_px = project(posed.keypoints[0], camera, centre, stature)
        record["keypoints_px"] = {
            n: [round(float(x), 1) for x in keypoints_px[i]]
            for i, n in enumerate(["nose", "left_eye", "right_eye", "left_ear", "right_ear",
                                   "left_shoulder", "right_shoulder", "left_elbow",
                                   "right_elbow", "left_wrist", "right_wrist", "left_hip",
                                   "right_hip", "left_knee", "right_knee", "left_ankle",
                                   "right_ankle", "left_big_toe", "right_big_toe",
                                   "left_small_toe", "right_small_toe", "left_heel",
                                   "right_heel"])}
        if check:
            record["_check"] = mediapipe_check(image)
    else:
        fps, duration = 30, item.duration_s
        cycle = float(rng.uniform(1.02, 1.14))
        stature = float(body.pose(shape, [{}]).vertices[0][:, 2].ptp())
        posed, info = simulate_walk(body, shape, item.gait, fps, duration, cycle,
                                    start_phase=float(rng.uniform(0.0, 1.0)), start_y_m=0.0)
        path_mid = float(np.mean(posed.vertices[[0, -1], :, 1].mean(axis=1)))
        camera = _camera(item, rng, stature)
        centre = np.array([0.0, path_mid, 0.0])
        if "edge_deg" in item.camera:
            camera = _walk_camera(camera, posed.vertices, centre, stature,
                                  item.camera["edge_deg"])
        renderer = Renderer(camera.width_px, camera.height_px)
        frames = []
        for b in range(len(posed.vertices)):
            colours = body.vertex_colours(shape, posed.vertices[b])
            frames.append(renderer.render(posed.vertices[b], body.faces, colours, camera,
                                          style, centre, stature))
        renderer.close()
        _write_mp4(out / item.file, frames, fps)
        series = info["series"]
        phase = np.array(series["phase_right"])
        stance_knee = []
        for side, ph in (("right", phase), ("left", np.mod(phase + 0.5, 1.0))):
            mid = (ph > 0.12) & (ph < 0.5)
            stance_knee.append(np.array(series[f"knee_flexion_{side}_deg"])[mid])
        stance_all = np.concatenate(stance_knee)
        truth = {
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
            "cadence_steps_per_min": 120.0 / cycle,
            "_series": series, "_stance_knee_min_deg": float(stance_all.min()),
        }
        record["truth"] = _rounded(truth)
        record["expected_findings"] = expected_findings(item, truth)
        record["events"] = info["events"]
        record["contact_events"] = info["contact_events"]
        record["truth_series"] = series
        record["fps"] = fps
        record["gait_style"] = asdict(item.gait)
    record["conditions"] = conditions(item.view, camera, shape,
                                      item.gait.name if item.gait else None,
                                      item.stand.yaw_deg if item.stand else 0.0)
    record["body"] = asdict(shape) | {"stature_m": round(stature, 3)}
    record["camera"] = camera.to_dict()
    record["scene"] = asdict(style)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", action="append", default=[],
                        help="substring of the file names to make (repeatable)")
    parser.add_argument("--check", action="store_true", help="run MediaPipe on the stills")
    parser.add_argument("--split", choices=("fixtures", "validation", "dev", "limp"),
                        default="fixtures",
                        help="catalogue: the committed fixtures (default), the held-out "
                             "validation split, the development split, or the held-out "
                             "limp split")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.split == "fixtures":
        items, seed, make = catalogue(), SEED, make_item
    else:
        from .phone import make_phone_item
        from .splits import split_catalogue

        (items, seed), make = split_catalogue(args.split), make_phone_item
    args.seed = seed if args.seed is None else args.seed
    body = BodyModel()
    records = []
    for index, item in enumerate(items):
        # One generator per item so a single item regenerates identically alone.
        rng = np.random.default_rng([args.seed, index])
        if args.only and not any(s in item.file for s in args.only):
            continue
        print(f"[{index + 1}/{len(items)}] {item.file}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        rec = make(item, body, args.out, rng, args.check)
        print(f"    {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        if "_check" in rec:
            c = rec.pop("_check")
            t = rec["truth"]
            print(f"    truth L {t['knee_flexion_left_deg']:+.1f} R "
                  f"{t['knee_flexion_right_deg']:+.1f}  trunk {t['trunk_inclination_deg']:+.1f}"
                  f"  share_R {t['load_share_right_pct']:.0f}  mp2d: "
                  + ("no person" if c is None else
                     f"L {c['left']:.1f} (vis {c['vis_left']:.2f}) R {c['right']:.1f} "
                     f"(vis {c['vis_right']:.2f})"), file=sys.stderr)
        records.append(rec)
    truth_path = args.out / "truth.json"
    if args.only and truth_path.exists():
        # Partial run: replace only the regenerated items.
        old = json.loads(truth_path.read_text())["items"]
        done = {r["file"] for r in records}
        records = [r for r in old if r["file"] not in done] + records
        order = {it.file: i for i, it in enumerate(items)}
        records.sort(key=lambda r: order.get(r["file"], 1 << 30))
    info = generator_info(args.seed) | {"split": args.split}
    doc = {"format": FORMAT, "generator": info, "items": records}
    truth_path.write_text(json.dumps(doc, indent=1) + "\n")
    return 0


def generator_info(seed: int) -> dict:
    from importlib.metadata import version

    info = {"tool": "tools/synth/generate.py", "seed": seed}
    for pkg in ("anny", "torch", "pyrender", "PyOpenGL", "trimesh", "mediapipe", "av", "numpy"):
        try:
            info[pkg] = version(pkg)
        except Exception:  # noqa: BLE001 - a missing optional package is just not listed
            info[pkg] = None
    info["truth_keypoints"] = "anny COCO keypoint regressor on the posed mesh"
    info["thresholds"] = {
        "knee_hyperextension_deg": HYPEREXT_DEG, "hyperextension_margin_deg": HYPEREXT_MARGIN,
        "bent_knee_deg": BENT_DEG, "bent_knee_omit_between_deg": [BENT_LOW, BENT_HIGH],
        "hollow_back_deg": HOLLOW_DEG, "hollow_back_omit_between_deg": [HOLLOW_LOW, HOLLOW_HIGH],
        "weight_shift_pct": SHIFT_PCT, "weight_shift_omit_between_pct": [SHIFT_LOW, SHIFT_HIGH],
    }
    return info


if __name__ == "__main__":
    raise SystemExit(main())
