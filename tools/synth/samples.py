"""Render the project's demo media (samples/) from synthetic subjects with known posture.

Run by hand (needs requirements-synth.txt, like the fixture generator):

    PYOPENGL_PLATFORM=osmesa python3 -m tools.synth.samples samples
    python3 -m tools.synth.samples samples --only walk_side_normal

The samples are for people trying the app and the command line, so they differ from the
test fixtures in tests/data/synthetic: other bodies, backgrounds and cameras, standing clips
several seconds long with a small natural sway (the app asks for 5 s of quiet standing), a
longer walk, and a JPEG photo. Their truth is measured on the posed body exactly as for the
fixtures (see docs/synthetic.md) and written to samples/truth.json; samples/README.md
describes them. The output is deterministic for a given seed and package versions.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")

from .body import (  # noqa: E402
    COCO,
    BodyModel,
    BodyShape,
    Posed,
    measure_truth,
    place_on_floor,
    rot_x,
    rot_y,
    rot_z,
    weight_leg,
)
from .gait_curves import NORMAL, GaitStyle  # noqa: E402
from .generate import Item, expected_findings, generator_info  # noqa: E402
from .render import CameraSpec, Renderer, SceneStyle  # noqa: E402
from .stand import StandSpec, solve_stand, stand_deltas  # noqa: E402
from .walk import simulate_walk  # noqa: E402

FORMAT = "posture-samples/1"
SEED = 20240917

# Four bodies none of the fixtures use (fixtures: f1-f3, m1-m3), of everyday statures
# (1.6-1.8 m; Anny's height parameter 0.5 is about 1.77 m for a woman, 1.9 m for a man).
BODIES = {
    "s1": BodyShape("s1", gender=0.95, age=0.80, weight=0.62, height=0.38, muscle=0.45,
                    skin_rgb=(238, 200, 172), shirt_rgb=(214, 112, 48),
                    shorts_rgb=(38, 52, 84), hair_rgb=(150, 95, 50),
                    description="woman, about 40, medium build, orange top, navy shorts"),
    "s2": BodyShape("s2", gender=0.05, age=0.85, weight=0.45, height=0.4, muscle=0.55,
                    skin_rgb=(125, 85, 60), shirt_rgb=(70, 160, 175),
                    shorts_rgb=(80, 80, 80), hair_rgb=(25, 20, 18),
                    description="man, about 45, lean, teal T-shirt, grey shorts"),
    "s3": BodyShape("s3", gender=0.85, age=0.72, weight=0.4, height=0.4, muscle=0.5,
                    skin_rgb=(205, 160, 125), shirt_rgb=(120, 60, 140),
                    shorts_rgb=(30, 30, 30), hair_rgb=(25, 18, 12),
                    description="woman, late 20s, slim and short, purple top, black shorts"),
    "s4": BodyShape("s4", gender=0.1, age=0.9, weight=0.65, height=0.35, muscle=0.5,
                    skin_rgb=(225, 185, 160), shirt_rgb=(235, 235, 235),
                    shorts_rgb=(100, 120, 80), hair_rgb=(160, 160, 160),
                    # Shorts: on these smooth renders MediaPipe misplaces the knee inside
                    # long trousers (a neutral 2 deg knee read as 10-17 deg bent).
                    description="man, about 60, solid build, white shirt, olive shorts"),
}

# Backgrounds and lights none of the fixtures use (other colours and pattern seeds).
STYLES = {
    "warm_stripes": SceneStyle(3.0, 35, 50, 0.32, (232, 222, 200), (140, 105, 80), "stripes", 11),
    "cool_tiles": SceneStyle(2.7, -30, 45, 0.33, (200, 215, 225), (125, 125, 130), "tiles", 12),
    "green_gradient": SceneStyle(3.1, 25, 40, 0.30, (195, 215, 190), (165, 150, 125),
                                 "gradient", 13),
    "grey_noise": SceneStyle(3.3, -20, 55, 0.28, (210, 205, 215), (110, 100, 95), "noise", 14),
}


@dataclass(frozen=True)
class Sway:
    """Quiet-standing sway of the whole body about the ankles, as hip displacement (mm).

    Two slow sines per direction (0.1-0.6 Hz, the band of normal postural sway) so it does
    not look mechanical; a few millimetres keeps it well inside "holding still".
    """

    ap_mm: float = 3.0  # antero-posterior amplitude at hip height
    ml_mm: float = 1.5  # medio-lateral amplitude at hip height
    head_yaw_deg: float = 4.0  # slow look around
    head_nod_deg: float = 1.5
    arm_deg: float = 1.5  # arms drift slightly


@dataclass
class Sample:
    """One demo file to make."""

    file: str
    kind: str  # "stand_clip" | "walk_clip" | "photo"
    view: str
    posture: str
    body: str
    style: str
    width_px: int
    height_px: int
    fill: float  # body height / visible height at the subject
    yfov_deg: float
    cam_height_m: float
    stand: StandSpec | None = None
    gait: GaitStyle | None = None
    sway: Sway = field(default_factory=Sway)
    duration_s: float = 7.0
    fps: int = 30
    cycle_s: float = 1.15
    summary: str = ""


def catalogue() -> list[Sample]:
    """The committed demo set."""
    return [
        Sample("stand_side_hyperextended_knees.mp4", "stand_clip", "side_left", "hollow_back",
               "s1", "warm_stripes", 480, 640, fill=0.72, yfov_deg=44.0, cam_height_m=1.05,
               stand=StandSpec(knee_flexion_deg=-12.0, trunk_inclination_deg=12.0,
                               thigh_share=0.6),
               summary="Standing side-on (left side to the camera), knees pressed back and "
                       "upper body leaning back: the hollow-back pattern."),
        Sample("stand_front_weight_on_right.mp4", "stand_clip", "front", "weight_shift",
               "s2", "cool_tiles", 480, 640, fill=0.7, yfov_deg=46.0, cam_height_m=1.1,
               stand=StandSpec(weight_leg="right", lateral_shift_deg=6.0,
                               pelvic_drop_deg=4.0, knee_flexion_deg=1.0),
               sway=Sway(ap_mm=2.0, ml_mm=3.0),
               summary="Standing facing the camera with the weight on the right leg: the "
                       "pelvis drops on the free left side and the left knee is slightly bent."),
        Sample("walk_side_normal.mp4", "walk_clip", "side_left", "normal", "s3",
               "green_gradient", 640, 480, fill=0.42, yfov_deg=40.0, cam_height_m=0.95,
               gait=NORMAL, duration_s=4.0, cycle_s=1.15,
               summary="Walking across the picture (right to left), seen from the left side, "
                       "with a normal gait."),
        Sample("stand_side_neutral.jpg", "photo", "side_left", "neutral", "s4", "grey_noise",
               720, 960, fill=0.74, yfov_deg=50.0, cam_height_m=1.2,
               stand=StandSpec(knee_flexion_deg=2.0),
               summary="Photo of a man standing side-on (left side to the camera) in a "
                       "neutral posture."),
    ]


# ---------------------------------------------------------------- posing


def _sway_angles_deg(t_s: np.ndarray, sway: Sway, hip_height_m: float,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Whole-body tilts about the ankles (X: antero-posterior, Y: medio-lateral), degrees."""
    out = []
    for amp_mm in (sway.ap_mm, sway.ml_mm):
        freqs = rng.uniform([0.12, 0.35], [0.22, 0.55])
        phases = rng.uniform(0, 2 * math.pi, 2)
        wave = (0.7 * np.sin(2 * math.pi * freqs[0] * t_s + phases[0])
                + 0.3 * np.sin(2 * math.pi * freqs[1] * t_s + phases[1]))
        out.append(np.degrees(np.arctan2(amp_mm / 1000 * wave, hip_height_m)))
    return out[0], out[1]


def _alive_deltas(base: dict[str, np.ndarray], trunk_cmd_deg: float, t_s: float, sway: Sway,
                  phases: np.ndarray) -> dict[str, np.ndarray]:
    """The standing deltas plus a slow look around and slight arm drift (legs untouched).

    A trunk leaning back carries the arms and head with it; a person lets the arms hang
    plumb and looks ahead, so both are turned back by the trunk command (the shoulders and
    hips, which the truth uses, do not move).
    """
    d = dict(base)
    yaw = sway.head_yaw_deg * math.sin(2 * math.pi * 0.09 * t_s + phases[0])
    nod = sway.head_nod_deg * math.sin(2 * math.pi * 0.23 * t_s + phases[1])
    d["neck01"] = rot_z(yaw) @ rot_x(nod + 0.5 * trunk_cmd_deg) @ base["neck01"]
    for bone, ph in (("upperarm01.L", phases[2]), ("upperarm01.R", phases[3])):
        drift = sway.arm_deg * math.sin(2 * math.pi * 0.17 * t_s + ph)
        d[bone] = rot_x(drift + trunk_cmd_deg) @ base[bone]
    return d


def pose_stand_clip(body: BodyModel, shape: BodyShape, sample: Sample,
                    rng: np.random.Generator) -> tuple[Posed, dict]:
    """Every frame of a quiet-standing clip: the solved posture, alive, swaying rigidly."""
    posed0, commanded = solve_stand(body, shape, sample.stand)
    base = stand_deltas(sample.stand, commanded["knee_deg"], commanded["trunk_deg"],
                        commanded["free_knee_deg"])
    n = int(round(sample.duration_s * sample.fps))
    times = np.arange(n) / sample.fps
    phases = rng.uniform(0, 2 * math.pi, 4)
    verts, kps, rig = [], [], []
    for start in range(0, n, 30):  # batches keep memory small
        chunk = [_alive_deltas(base, commanded["trunk_deg"], float(t), sample.sway, phases)
                 for t in times[start:start + 30]]
        part = body.pose(shape, chunk)
        place_on_floor(part)
        verts.append(part.vertices)
        kps.append(part.keypoints)
        rig.extend(part.rig)
    posed = Posed(np.concatenate(verts), np.concatenate(kps), rig, body.foot_mask)
    # Sway: tilt the whole body about the point on the floor between the ankles.
    k0 = posed.keypoints[0]
    ankles = (k0[COCO.index("left_ankle")] + k0[COCO.index("right_ankle")]) / 2
    hips = (k0[COCO.index("left_hip")] + k0[COCO.index("right_hip")]) / 2
    pivot = np.array([ankles[0], ankles[1], 0.0])
    ap_deg, ml_deg = _sway_angles_deg(times, sample.sway, float(hips[2]), rng)
    for b in range(n):
        r = rot_x(ap_deg[b]) @ rot_y(ml_deg[b])
        posed.vertices[b] = (posed.vertices[b] - pivot) @ r.T + pivot
        posed.keypoints[b] = (posed.keypoints[b] - pivot) @ r.T + pivot
        posed.rig[b] = {j: r @ (p - pivot) + pivot for j, p in posed.rig[b].items()}
    hip_mid = (posed.keypoints[:, COCO.index("left_hip")]
               + posed.keypoints[:, COCO.index("right_hip")]) / 2
    info = {"commanded": commanded, "times": times,
            "hip_sway_ap_mm": float(np.ptp(hip_mid[:, 1]) * 1000),
            "hip_sway_ml_mm": float(np.ptp(hip_mid[:, 0]) * 1000)}
    return posed, info


# ---------------------------------------------------------------- truth


STAND_KEYS = ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg",
              "pelvic_obliquity_deg", "load_share_right_pct", "hips_forward_of_ankles_m")


def stand_truth(posed: Posed) -> dict:
    """Per-clip truth of a standing clip: medians, plus the range each value spans."""
    frames = [measure_truth(posed.keypoints[b], posed.rig[b])
              for b in range(len(posed.keypoints))]
    truth: dict = {}
    for key in STAND_KEYS:
        values = np.array([f[key] for f in frames])
        truth[key] = float(np.median(values))
        truth[f"{key}_range"] = [round(float(values.min()), 3), round(float(values.max()), 3)]
    truth["weight_leg"] = weight_leg(truth["load_share_right_pct"])
    return truth


def _round(value):
    if isinstance(value, float):
        return round(value, 3 if abs(value) < 1 else 2)
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_round(v) for v in value]
    return value


# ---------------------------------------------------------------- writing


def write_mp4(path: Path, frames: list[np.ndarray], fps: int, crf: int = 23) -> None:
    """H.264, yuv420p, moov atom first (browsers start playing before the end arrives)."""
    import av

    with av.open(str(path), "w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": str(crf), "preset": "slow", "profile": "high"}
        for img in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def write_jpeg(path: Path, image: np.ndarray) -> None:
    """JPEG with EXIF orientation 1 (pixels stored upright), as a phone photo has."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 1  # Orientation: top-left
    Image.fromarray(image).save(path, quality=88, optimize=True, exif=exif.tobytes())


def _camera(sample: Sample, stature_m: float) -> CameraSpec:
    visible = stature_m / sample.fill
    distance = visible / (2 * math.tan(math.radians(sample.yfov_deg) / 2))
    return CameraSpec(sample.view, round(distance, 3), sample.cam_height_m, sample.yfov_deg,
                      sample.width_px, sample.height_px)


def _render_all(body: BodyModel, shape: BodyShape, posed: Posed, camera: CameraSpec,
                style: SceneStyle, centre: np.ndarray, stature: float) -> list[np.ndarray]:
    renderer = Renderer(camera.width_px, camera.height_px)
    frames = []
    for b in range(len(posed.vertices)):
        colours = body.vertex_colours(shape, posed.vertices[b])
        frames.append(renderer.render(posed.vertices[b], body.faces, colours, camera, style,
                                      centre, stature))
    renderer.close()
    return frames


def make_sample(sample: Sample, body: BodyModel, out: Path, rng: np.random.Generator) -> dict:
    shape = BODIES[sample.body]
    style = STYLES[sample.style]
    record: dict = {"file": sample.file, "summary": sample.summary, "view": sample.view,
                    "posture": sample.posture}
    if sample.kind in ("stand_clip", "photo"):
        if sample.kind == "photo":
            posed, commanded = solve_stand(body, shape, sample.stand)
            info = {"commanded": commanded}
        else:
            posed, info = pose_stand_clip(body, shape, sample, rng)
        stature = float(posed.vertices[0][:, 2].max())
        camera = _camera(sample, stature)
        centre = np.array([0.0, float(np.median(posed.vertices[0][:, 1])), 0.0])
        frames = _render_all(body, shape, posed, camera, style, centre, stature)
        truth = stand_truth(posed)
        if sample.kind == "photo":
            write_jpeg(out / sample.file, frames[0])
            record |= {"kind": "image", "activity": "standing"}
            truth = {k: v for k, v in truth.items() if not k.endswith("_range")}
        else:
            write_mp4(out / sample.file, frames, sample.fps)
            record |= {"kind": "video", "activity": "standing", "fps": sample.fps,
                       "duration_s": len(frames) / sample.fps,
                       "sway": asdict(sample.sway) | {
                           "hip_sway_ap_peak_to_peak_mm": info["hip_sway_ap_mm"],
                           "hip_sway_ml_peak_to_peak_mm": info["hip_sway_ml_mm"]}}
        item = Item(sample.file, "image", sample.view, "standing", sample.posture, sample.body,
                    0, stand=sample.stand)
        record["truth"] = truth
        record["expected_findings"] = expected_findings(item, truth)
        record["commanded"] = info["commanded"] | {"spec": asdict(sample.stand)}
    else:
        stature = float(np.ptp(body.pose(shape, [{}]).vertices[0][:, 2]))
        posed, info = simulate_walk(body, shape, sample.gait, sample.fps, sample.duration_s,
                                    sample.cycle_s, start_phase=float(rng.uniform(0.0, 1.0)),
                                    start_y_m=0.0)
        path_mid = float(np.mean(posed.vertices[[0, -1], :, 1].mean(axis=1)))
        camera = _camera(sample, stature)
        centre = np.array([0.0, path_mid, 0.0])
        frames = _render_all(body, shape, posed, camera, style, centre, stature)
        write_mp4(out / sample.file, frames, sample.fps)
        series = info["series"]
        phase = np.array(series["phase_right"])
        stance = []
        for side, ph in (("right", phase), ("left", np.mod(phase + 0.5, 1.0))):
            mid = (ph > 0.12) & (ph < 0.5)
            stance.append(np.array(series[f"knee_flexion_{side}_deg"])[mid])
        stance_all = np.concatenate(stance)
        truth = {
            "stance_knee_flexion_min_deg": float(stance_all.min()),
            "midstance_knee_flexion_deg": float(np.median(stance_all)),
            "trunk_inclination_deg": float(np.median(series["trunk_inclination_deg"])),
            "pelvic_obliquity_range_deg": float(np.ptp(series["pelvic_obliquity_deg"])),
            "pelvis_rotation_amplitude_deg": sample.gait.pelvis_rotation_deg,
            "arm_swing_amplitude_deg": sample.gait.arm_swing_deg,
            "speed_m_s": info["speed_m_s"],
            "cycle_s": sample.cycle_s,
            "cadence_steps_per_min": 120.0 / sample.cycle_s,
            "_series": series, "_stance_knee_min_deg": float(stance_all.min()),
        }
        item = Item(sample.file, "video", sample.view, "walking", sample.gait.name,
                    sample.body, 0, gait=sample.gait)
        record |= {"kind": "video", "activity": "walking", "fps": sample.fps,
                   "duration_s": len(frames) / sample.fps}
        record["truth"] = truth
        record["expected_findings"] = expected_findings(item, truth)
        record["events"] = info["events"]
        record["gait_style"] = asdict(sample.gait)
    record["body"] = asdict(shape) | {"stature_m": stature}
    record["camera"] = camera.to_dict()
    record["scene"] = asdict(style) | {"name": sample.style}
    return _round(record)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--only", action="append", default=[],
                        help="substring of the file names to make (repeatable)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    body = BodyModel()
    samples = catalogue()
    records = []
    for index, sample in enumerate(samples):
        rng = np.random.default_rng([args.seed, index])
        if args.only and not any(s in sample.file for s in args.only):
            continue
        print(f"[{index + 1}/{len(samples)}] {sample.file}", file=sys.stderr, flush=True)
        records.append(make_sample(sample, body, args.out, rng))
    truth_path = args.out / "truth.json"
    if args.only and truth_path.exists():
        old = json.loads(truth_path.read_text())["items"]
        done = {r["file"] for r in records}
        order = {s.file: i for i, s in enumerate(samples)}
        records = sorted([r for r in old if r["file"] not in done] + records,
                         key=lambda r: order.get(r["file"], 1 << 30))
    info = generator_info(args.seed) | {"tool": "tools/synth/samples.py"}
    doc = {"format": FORMAT, "generator": info, "items": records}
    truth_path.write_text(json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
