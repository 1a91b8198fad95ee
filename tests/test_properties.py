"""Property-based tests (hypothesis) for the geometry, the measurements and the checks.

- angles stay in range: unsigned 0..180, signed -180..180, line tilts -90..90;
- a mirrored image gives mirrored findings: x flipped and left/right landmarks exchanged
  (``posture.landmarks.MIRROR_INDEX``) gives the same statuses with the sides swapped;
- rotating the image a little or scaling it leaves the angles where they were (the trunk's
  inclination from vertical turns with the image, by at most the rotation);
- missing or NaN landmarks, in any pattern, never crash ``analyse_poses``;
- the report always validates against its JSON Schema.

Poses are built directly (``synthetic_landmarks``), no MediaPipe: the whole file runs in
well under 30 s. Example counts are kept small with ``settings(max_examples=...)``.
"""

from __future__ import annotations

import json
import math
import warnings
from functools import cache

import jsonschema
import numpy as np
import pytest
import synthetic_landmarks as sl
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from posture import geometry as geo
from posture.explanations import Symptoms
from posture.landmarks import MIRROR_INDEX, N_LANDMARKS
from posture.pipeline import analyse_poses
from posture.pose import PoseSequence
from posture.report import SCHEMA_PATH, validate

STATUSES = {"detected", "uncertain", "not_detected", "not_assessable"}
SWAP_SIDE = {"left": "right", "right": "left", "both": "both", None: None}
SWAP_VIEW = {"side_left": "side_right", "side_right": "side_left", "front": "front",
             "back": "back", "unknown": "unknown"}

FAST = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
PIPELINE = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def _schema_validator() -> jsonschema.protocols.Validator:
    """The validator ``posture.report.validate`` builds, built once (it reloads per call)."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def assert_valid_report(report_dict: dict) -> None:
    _schema_validator().validate(report_dict)
    # round trip through strict JSON (no NaN) as the CLI writes it
    json.loads(json.dumps(report_dict, allow_nan=False))


def run(pose: PoseSequence, symptoms: Symptoms | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty-slice means on all-NaN data
        return analyse_poses(pose, sl.media_info(pose), symptoms=symptoms)


# ----------------------------------------------------------------------------- strategies

coords = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)
points = st.tuples(coords, coords).map(np.array)
maybe_nan_points = st.one_of(points, st.just(np.array([np.nan, np.nan])),
                             st.tuples(coords, st.just(math.nan)).map(np.array))
facings = st.sampled_from([1.0, -1.0])


@st.composite
def figures(draw, views=("side_left", "side_right", "front", "back"),
            kinds=("video", "image")) -> sl.Figure:
    """A synthetic recording: standing (clip or photo) or walking (clip), any posture
    within what people show."""
    view = draw(st.sampled_from(views))
    kind = draw(st.sampled_from(kinds))
    walking = kind != "image" and draw(st.booleans())
    common = dict(
        view=view, kind=kind, fps=15.0,
        knee_flexion_left_deg=draw(st.floats(-20, 35)),
        knee_flexion_right_deg=draw(st.floats(-20, 35)),
        noise_px=draw(st.sampled_from([0.0, 0.5, 2.0])),
        seed=draw(st.integers(0, 1000)),
        width_px=640, height_px=480, body_height_px=draw(st.floats(200, 420)),
    )
    if walking:
        return sl.Figure(activity="walking", duration_s=3.0,
                         arm_swing_deg=draw(st.floats(0, 35)),
                         pelvis_rotation_deg=draw(st.floats(0, 8)), **common)
    return sl.Figure(
        activity="standing", duration_s=1.0,
        trunk_inclination_deg=draw(st.floats(-10, 15)),
        hip_forward_offset_pct=draw(st.floats(-5, 10)),
        pelvic_obliquity_deg=draw(st.floats(-6, 6)),
        load_share_right_pct=draw(st.floats(25, 75)),
        **common,
    )


# ----------------------------------------------------------------------------- geometry


@FAST
@given(a=maybe_nan_points, vertex=maybe_nan_points, b=maybe_nan_points)
def test_unsigned_angle_is_0_to_180_or_nan(a, vertex, b) -> None:
    with np.errstate(all="ignore"):
        angle = float(geo.angle_at_deg(a, vertex, b))
    assert math.isnan(angle) or 0.0 <= angle <= 180.0


@FAST
@given(hip=maybe_nan_points, knee=maybe_nan_points, ankle=maybe_nan_points, facing=facings)
def test_signed_angles_are_within_plus_minus_180(hip, knee, ankle, facing) -> None:
    with np.errstate(all="ignore"):
        values = [
            float(geo.signed_knee_flexion_deg(hip, knee, ankle, facing)),
            float(geo.inclination_from_vertical_deg(hip, knee, facing)),
            float(geo.signed_angle_between_deg(knee - hip, ankle - knee, facing)),
        ]
        tilt = float(geo.line_tilt_deg(hip, ankle))
    assert all(math.isnan(v) or -180.0 <= v <= 180.0 for v in values), values
    assert math.isnan(tilt) or -90.0 <= tilt <= 90.0


def _similar(p: np.ndarray, theta_deg: float, scale: float, shift: np.ndarray) -> np.ndarray:
    t = math.radians(theta_deg)
    rotation = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return scale * p @ rotation.T + shift


@FAST
@given(hip=points, knee=points, ankle=points, facing=facings,
       theta=st.floats(-5, 5), scale=st.floats(0.2, 5), shift=points)
def test_joint_angles_do_not_change_when_the_image_is_turned_or_scaled(
        hip, knee, ankle, facing, theta, scale, shift) -> None:
    # A joint needs two segments of some length, and a knee not folded onto itself.
    size = max(np.linalg.norm(hip - knee), np.linalg.norm(ankle - knee), 1.0)
    assume(min(np.linalg.norm(hip - knee), np.linalg.norm(ankle - knee)) > 1e-3 * size + 1.0)
    before_unsigned = float(geo.angle_at_deg(hip, knee, ankle))
    assume(5.0 < before_unsigned < 179.0)  # a straight knee's sign is a coin toss
    h, k, a = (_similar(p, theta, scale, shift) for p in (hip, knee, ankle))
    assert float(geo.angle_at_deg(h, k, a)) == pytest.approx(before_unsigned, abs=1e-6)
    assert float(geo.signed_knee_flexion_deg(h, k, a, facing)) == pytest.approx(
        float(geo.signed_knee_flexion_deg(hip, knee, ankle, facing)), abs=1e-6)
    # the inclination from vertical turns with the picture: by the rotation, no more
    lean = float(geo.inclination_from_vertical_deg(hip, knee, facing))
    turned = float(geo.inclination_from_vertical_deg(h, k, facing))
    assert abs((turned - lean + 180) % 360 - 180) == pytest.approx(abs(theta), abs=1e-6)


# ----------------------------------------------------------------------------- pipeline


def _transform(pose: PoseSequence, theta_deg: float, scale: float) -> PoseSequence:
    """The same recording filmed with the camera rolled by ``theta_deg`` about the picture's
    centre and at ``scale`` times the resolution."""
    centre = np.array([pose.width_px, pose.height_px]) / 2
    width, height = round(pose.width_px * scale), round(pose.height_px * scale)
    xy = _similar(pose.xy_px - centre, theta_deg, scale, np.array([width, height]) / 2)
    return PoseSequence(pose.frame_index.copy(), pose.t_s.copy(), xy, pose.depth_px * scale,
                        pose.visibility.copy(), pose.world_m.copy(), width, height, pose.kind)


def _away_from_gaps(finite: np.ndarray, frames: int) -> np.ndarray:
    """Finite frames at least ``frames`` frames from any non-finite one or the ends."""
    bad = np.flatnonzero(~finite)
    bad = np.concatenate([[-1], bad, [len(finite)]])
    index = np.arange(len(finite))
    distance = np.min(np.abs(index[:, None] - bad[None, :]), axis=1)
    return finite & (distance > frames)


def _medians(report) -> dict[str, float]:
    return {name: stats["median"] for name, stats in report.measurements.items()}


@PIPELINE
@given(figure=figures(views=("side_left", "side_right")), theta=st.floats(-3, 3),
       scale=st.floats(0.5, 2.0))
def test_small_roll_or_zoom_keeps_the_angles(figure, theta, scale) -> None:
    pose = sl.build(figure)
    base = run(pose)
    zoomed = run(_transform(pose, 0.0, scale))
    rolled = run(_transform(pose, theta, scale))
    before, after_zoom = _medians(base.report), _medians(zoomed.report)
    # zoom alone changes nothing that is measured in degrees or leg lengths (beyond the odd
    # landmark that lands on the picture's edge and so counts as unseen at one size)
    assert after_zoom.keys() == before.keys()
    for name, value in before.items():
        assert after_zoom[name] == pytest.approx(value, abs=1.0), name
    assert [f.status for f in zoomed.report.findings] == [f.status for f in base.report.findings]
    # a roll of a few degrees: joint angles stay frame by frame (a roll may tip a borderline
    # frame's view label, so compare the frames measured in both), and the trunk turns by at
    # most the roll
    assert rolled.report.summary["view"] == base.report.summary["view"]
    for name in ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"):
        a, b = base.series[name], rolled.series[name]
        # Frames near a gap are left out: where a roll or zoom moves a landmark across the
        # picture's edge, the gap and so the filter's start-up differ.
        settled = _away_from_gaps(np.isfinite(a) & np.isfinite(b), frames=5)
        if settled.any():
            limit = 0.2 if name.startswith("knee") else abs(theta) + 0.2
            assert np.abs(a[settled] - b[settled]).max() <= limit, name


# Measurement name -> (name in the mirrored recording, sign).
MIRRORED_MEASUREMENTS = {
    "knee_flexion_left_deg": ("knee_flexion_right_deg", 1),
    "knee_flexion_right_deg": ("knee_flexion_left_deg", 1),
    "hip_extension_left_deg": ("hip_extension_right_deg", 1),
    "hip_extension_right_deg": ("hip_extension_left_deg", 1),
    "trunk_inclination_deg": ("trunk_inclination_deg", 1),
    "hip_forward_offset_pct": ("hip_forward_offset_pct", 1),
    "pelvic_obliquity_deg": ("pelvic_obliquity_deg", -1),
    "shoulder_obliquity_deg": ("shoulder_obliquity_deg", -1),
    "trunk_lateral_lean_deg": ("trunk_lateral_lean_deg", -1),
    "knee_flexion_asymmetry_deg": ("knee_flexion_asymmetry_deg", -1),
}


@PIPELINE
@given(figure=figures())
def test_a_mirrored_image_gives_mirrored_findings(figure) -> None:
    pose = sl.build(figure)
    mirrored = pose.xy_px[:, list(MIRROR_INDEX)].copy()
    mirrored[..., 0] = pose.width_px - mirrored[..., 0]
    flipped = PoseSequence(pose.frame_index, pose.t_s, mirrored,
                           pose.depth_px[:, list(MIRROR_INDEX)],
                           pose.visibility[:, list(MIRROR_INDEX)],
                           pose.world_m[:, list(MIRROR_INDEX)], pose.width_px, pose.height_px,
                           pose.kind)
    a, b = run(pose).report, run(flipped).report
    assert b.summary["view"] == SWAP_VIEW[a.summary["view"]]
    assert b.summary["activity"] == a.summary["activity"]
    for fa, fb in zip(a.findings, b.findings, strict=True):
        assert (fb.id, fb.status) == (fa.id, fa.status)
        assert fb.side == SWAP_SIDE[fa.side], fa.id
        if fa.value is not None:
            assert fb.value == pytest.approx(fa.value, abs=1e-6), fa.id
    ma, mb = _medians(a), _medians(b)
    for name, (other, sign) in MIRRORED_MEASUREMENTS.items():
        if name in ma:
            assert mb[other] == pytest.approx(sign * ma[name], abs=1e-6), name
    if "load_share_right_pct" in ma:
        assert mb["load_share_right_pct"] == pytest.approx(100 - ma["load_share_right_pct"],
                                                           abs=1e-6)


@st.composite
def damaged_poses(draw) -> PoseSequence:
    """A synthetic recording with landmarks lost in any pattern MediaPipe (or worse) gives."""
    pose = sl.build(draw(figures(kinds=("video", "image", "live"))))
    n = len(pose)
    xy, vis = pose.xy_px.copy(), pose.visibility.copy()
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # whole frames with nobody
    lost = rng.random(n) < draw(st.sampled_from([0.0, 0.2, 0.7, 1.0]))
    xy[lost], vis[lost] = np.nan, 0.0
    # single coordinates or landmarks gone, visibility anywhere in 0..1
    holes = rng.random((n, N_LANDMARKS, 2)) < draw(st.sampled_from([0.0, 0.01, 0.2]))
    xy[holes] = np.nan
    vis = np.where(rng.random(vis.shape) < draw(st.sampled_from([0.0, 0.3])),
                   rng.random(vis.shape), vis)
    # frames collapsed onto one point (zero-length segments everywhere)
    collapsed = rng.random(n) < draw(st.sampled_from([0.0, 0.1]))
    if collapsed.any():
        xy[collapsed] = xy[collapsed][:, :1]
    # landmarks far outside the picture
    if draw(st.booleans()):
        xy[:, draw(st.integers(0, N_LANDMARKS - 1))] += (1e5, -1e5)
    return PoseSequence(pose.frame_index, pose.t_s, xy, pose.depth_px, vis, pose.world_m,
                        pose.width_px, pose.height_px, pose.kind)


symptom_answers = st.fixed_dictionaries({}, optional={
    name: st.booleans() for name in (
        "severe_pain", "pain_at_rest", "sudden_onset", "after_trauma", "hardened_calf",
        "swelling_one_leg", "calf_warm_red", "foot_cold_pale", "long_sitting_bent_knees",
        "thigh_back_pain", "heavy_lifting", "soft_footbeds")})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pose=damaged_poses(), answers=symptom_answers)
def test_missing_or_nan_landmarks_never_crash_and_the_report_validates(pose, answers) -> None:
    analysis = run(pose, Symptoms(**answers) if answers else None)
    report = analysis.report.to_dict()
    assert_valid_report(report)
    assert {f["status"] for f in report["findings"]} <= STATUSES
    assert len(report["findings"]) == 5
    if not np.isfinite(pose.xy_px).all(axis=(1, 2)).any():
        assert report["summary"]["person_found"] is False
        assert {f["status"] for f in report["findings"]} == {"not_assessable"}
    # every angle the engine measured is a real angle
    for name, series in analysis.measurements.values.items():
        finite = series[np.isfinite(series)]
        if name.endswith("_deg"):
            assert ((finite >= -180.0) & (finite <= 180.0)).all(), name
    for name in ("knee_flexion_left_deg", "knee_flexion_right_deg"):
        stats = report["measurements"].get(name)
        if stats:
            assert -180.0 <= stats["min"] <= stats["median"] <= stats["max"] <= 180.0


@PIPELINE
@given(figure=figures(kinds=("video", "image", "live")), answers=symptom_answers)
def test_every_report_validates_against_the_schema(figure, answers) -> None:
    report = run(sl.build(figure), Symptoms(**answers) if answers else None).report.to_dict()
    assert_valid_report(report)
    for finding in report["findings"]:
        assert finding["status"] in STATUSES
        assert finding["status"] in ("detected", "uncertain") or finding["severity"] == "none"


def test_the_cached_validator_is_posture_report_validate() -> None:
    """The schema checks above use a validator built once; it agrees with the engine's."""
    report = run(sl.build(sl.Figure(kind="image"))).report.to_dict()
    validate(report)
    assert_valid_report(report)
    broken = dict(report, findings=[dict(report["findings"][0], status="maybe")])
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    with pytest.raises(jsonschema.ValidationError):
        assert_valid_report(broken)
