"""posture.gait_cycle and the walking branch of the weight-shift check: strides on a
normalised gait cycle, the spatiotemporal table with symmetry indices, the per-stride CSV,
and a limp (one leg's stance shorter) as one-sided loading, on synthetic walks."""

from __future__ import annotations

import copy
import csv
import io

import jsonschema
import numpy as np
import pytest
from synthetic_landmarks import (
    Figure,
    build,
    figure,
    gait_phase,
    media_info,
    mirror,
    true_knee_flexion_deg,
    walking,
)

from posture.config import Config, WeightShiftThresholds
from posture.gait_cycle import (
    CURVES,
    LEG_SHARE_OF_HEIGHT,
    N_POINTS,
    STRIDE_CSV_COLUMNS,
    resample_stride,
    robinson_si,
    strides_csv,
)
from posture.gait_norms import knee_flexion_band
from posture.pipeline import analyse_poses
from posture.report import validate

SIDES = ("left", "right")


def _analysis(pose, config: Config | None = None):
    return analyse_poses(pose, media_info(pose), config=config)


def _limp(painful: str = "left", **kwargs):
    """An antalgic walk: the painful foot on the ground 54 % of its stride, the sound one
    67 % (the synthetic subjects' limp, tools/synth/gait_curves.py)."""
    stances = {"left": 54.0, "right": 67.0} if painful == "left" else \
        {"left": 67.0, "right": 54.0}
    kwargs.setdefault("duration_s", 7.0)
    return walking(stance_pct=stances["left"], stance_pct_right=stances["right"], **kwargs)


# --------------------------------------------------------------------------- resampling


def test_resampling_maps_a_stride_onto_101_points():
    t = np.linspace(2.0, 3.1, 34)  # one stride of 1.1 s at 30 fps
    values = 10.0 + 40.0 * (t - t[0]) / (t[-1] - t[0])  # 10 at heel strike -> 50 at the next
    out = resample_stride(values, t, 0, 33)
    assert out.shape == (N_POINTS,)
    assert out[0] == pytest.approx(10.0) and out[-1] == pytest.approx(50.0)
    assert out[50] == pytest.approx(30.0)
    # Uneven frame times: linear in time, not in frames.
    t2 = np.concatenate([np.linspace(0.0, 0.5, 5), np.linspace(0.55, 1.0, 30)])
    assert resample_stride(t2, t2, 0, len(t2) - 1)[25] == pytest.approx(0.25)


def test_a_stride_with_too_many_gaps_or_an_open_end_is_left_out():
    t = np.linspace(0.0, 1.0, 31)
    holes = t.copy()
    holes[5:15] = np.nan  # a third of the stride missing
    assert resample_stride(holes, t, 0, 30) is None
    open_end = t.copy()
    open_end[-4:] = np.nan  # the last 13 % unseen: nothing to interpolate towards
    assert resample_stride(open_end, t, 0, 30) is None
    small_gap = t.copy()
    small_gap[10:13] = np.nan
    assert resample_stride(small_gap, t, 0, 30)[40] == pytest.approx(0.4)


def test_robinson_symmetry_index():
    assert robinson_si(0.6, 0.6) == 0.0
    assert robinson_si(66.0, 54.0) == pytest.approx(100 * 12 / 60, abs=0.01)
    assert robinson_si(54.0, 66.0) == pytest.approx(-20.0, abs=0.01)
    assert robinson_si(None, 1.0) is None and robinson_si(0.0, 0.0) is None


# --------------------------------------------------------------------------- table and curves


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_a_normal_walk_gives_an_even_table_and_the_true_knee_curve(view):
    fig = figure(activity="walking", view=view, duration_s=7.0)
    analysis = _analysis(build(fig))
    cycle = analysis.gait_cycle
    assert cycle is not None
    for side in SIDES:
        table = cycle.per_side[side]
        assert table.strides >= 3
        assert table.stride_time_s == pytest.approx(fig.stride_s, abs=0.04)
        assert table.cadence_steps_per_min == pytest.approx(110.0, abs=4.0)
        assert table.step_time_s == pytest.approx(fig.stride_s / 2, abs=0.05)
        assert table.stance_pct == pytest.approx(60.0, abs=5.0)  # the issue: within 5 points
        assert table.swing_pct == pytest.approx(100.0 - table.stance_pct)
        assert table.toe_off_pct == pytest.approx(table.stance_pct, abs=2.0)
        assert 0.0 < table.double_support_pct < 40.0
        assert 0.3 < table.step_length_leg < 1.0
        assert table.step_length_m is None  # no height given
        assert set(table.curves) >= {"knee_flexion_deg", "hip_extension_deg",
                                     "trunk_inclination_deg"}
        knee = table.curves["knee_flexion_deg"]
        assert len(knee.strides) == table.strides
        assert all(s.shape == (N_POINTS,) for s in knee.strides)
        # The mean curve is the figure's own knee over its stride (heel strike = 0 %).
        start = table.rows[0].start_t_s
        truth = true_knee_flexion_deg(fig, side, start + np.linspace(0, 1, N_POINTS) *
                                      table.stride_time_s)
        assert np.max(np.abs(knee.mean - truth)) < 6.0
        assert np.mean(np.abs(knee.mean - truth)) < 2.5
    for metric, si in cycle.symmetry.items():
        assert si is not None and abs(si) < 6.0, metric


def test_the_strides_begin_at_heel_strikes():
    fig = figure(activity="walking", view="side_left", duration_s=7.0)
    cycle = _analysis(build(fig)).gait_cycle
    for side in SIDES:
        for row in cycle.per_side[side].rows:
            phase = float(gait_phase(fig, side, np.array([row.start_t_s]))[0])
            assert min(phase, 1 - phase) * fig.stride_s < 0.07  # within two frames


def test_a_limp_shows_in_the_table_and_its_symmetry_indices():
    cycle = _analysis(_limp("left")).gait_cycle
    left, right = cycle.per_side["left"], cycle.per_side["right"]
    assert left.stance_pct == pytest.approx(54.0, abs=5.0)
    assert right.stance_pct == pytest.approx(67.0, abs=5.0)
    assert left.toe_off_pct < right.toe_off_pct
    assert cycle.symmetry["stance_pct"] < -10.0  # left shorter: negative
    assert cycle.symmetry["swing_pct"] > 10.0
    # The sound (right) foot comes down quickly: its step is the short one.
    assert right.step_time_s < left.step_time_s
    assert abs(cycle.symmetry["stride_time_s"]) < 5.0  # both feet share one stride
    assert "Robinson" in cycle.symmetry_formula


def test_step_length_in_metres_when_the_height_is_given():
    pose = walking(view="side_left", duration_s=7.0)
    cycle = _analysis(pose, Config(subject_height_m=1.75)).gait_cycle
    for side in SIDES:
        table = cycle.per_side[side]
        assert table.step_length_m == pytest.approx(
            table.step_length_leg * LEG_SHARE_OF_HEIGHT * 1.75, rel=0.02)
        # The figure's step: about 0.35 of its height for a 1.75 m walker.
        assert 0.4 < table.step_length_m < 0.9


def test_no_cycle_without_a_reliable_walk():
    from synthetic_landmarks import standing

    assert _analysis(standing(view="side_left")).gait_cycle is None
    data = _analysis(standing(view="side_left")).report.to_dict()
    assert data["gait"] is None
    assert strides_csv(None).strip() == ",".join(STRIDE_CSV_COLUMNS)


def test_per_stride_csv_has_a_row_per_stride_of_both_sides():
    cycle = _analysis(_limp("right")).gait_cycle
    rows = list(csv.DictReader(io.StringIO(strides_csv(cycle))))
    assert len(rows) == sum(cycle.per_side[s].strides for s in SIDES)
    assert list(rows[0]) == list(STRIDE_CSV_COLUMNS)
    times = [float(r["start_t_s"]) for r in rows]
    assert times == sorted(times)
    right = [float(r["stance_pct"]) for r in rows if r["side"] == "right" and r["stance_pct"]]
    assert np.median(right) == pytest.approx(54.0, abs=5.0)


# --------------------------------------------------------------------------- the report


def test_the_report_carries_per_side_and_validates():
    data = _analysis(_limp("left", noise_px=1.0)).report.to_dict()
    validate(data)
    assert data["schema_version"] == "4"
    gait = data["gait"]
    assert set(gait["per_side"]) == set(SIDES)
    side = gait["per_side"]["left"]
    assert {"strides", "cadence_steps_per_min", "stride_time_s", "step_time_s", "stance_pct",
            "swing_pct", "double_support_pct", "step_length_leg", "toe_off_pct",
            "curves"} <= set(side)
    knee = side["curves"]["knee_flexion_deg"]
    assert len(knee["mean"]) == 101 and len(knee["strides"]) == side["strides"]
    assert set(gait["symmetry"]) >= {"stance_pct", "step_time_s", "step_length_leg"}
    assert set(side["curves"]) <= set(CURVES)
    broken = copy.deepcopy(data)
    broken["gait"]["per_side"]["left"]["curves"]["knee_flexion_deg"]["mean"] = [0.0] * 100
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)
    broken = copy.deepcopy(data)
    del broken["gait"]["per_side"]["right"]
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


def test_the_normal_band_follows_the_published_knee_curve():
    band = knee_flexion_band()
    assert band.mean.shape == band.sd.shape == (101,)
    assert np.all(band.upper > band.lower)
    swing_peak = int(np.argmax(band.mean))
    assert 68 <= swing_peak <= 78 and 55 <= band.mean[swing_peak] <= 70
    loading = int(np.argmax(band.mean[:30]))
    assert 10 <= loading <= 20 and 15 <= band.mean[loading] <= 25
    assert band.mean[40] < 10  # nearly straight in mid to terminal stance


# --------------------------------------------------------------------------- the limp


@pytest.mark.parametrize("view", ["side_left", "side_right"])
@pytest.mark.parametrize("painful", ["left", "right"])
def test_a_limp_is_one_sided_loading_on_the_sound_leg(view, painful):
    sound = "right" if painful == "left" else "left"
    shift = {f.id: f for f in _analysis(_limp(painful, view=view)).report.findings}[
        "weight_shift"]
    assert (shift.status, shift.side) == ("detected", sound), shift.message
    assert shift.details["limp_side"] == painful
    assert shift.unit == "%" and shift.value >= shift.threshold == 10.0
    assert shift.severity in ("mild", "moderate")
    assert shift.evidence and all(e.value > 60 for e in shift.evidence)  # the sound stances
    assert f"the {sound} leg carries the body longer" in shift.message


def test_a_mirrored_limp_swaps_the_side():
    pose = _limp("left", view="side_left")
    shift = {f.id: f for f in _analysis(mirror(pose)).report.findings}["weight_shift"]
    assert (shift.status, shift.side, shift.details["limp_side"]) == ("detected", "left",
                                                                      "right")


@pytest.mark.parametrize("kwargs", [
    dict(view="side_left"),
    dict(view="side_right", noise_px=1.5, seed=4),
    dict(view="side_left", cadence_steps_per_min=95.0, stance_pct=63.0, duration_s=8.0),
    dict(view="side_right", cadence_steps_per_min=125.0, stance_pct=58.0),
])
def test_normal_gaits_give_no_limp(kwargs):
    kwargs.setdefault("duration_s", 7.0)
    shift = {f.id: f for f in _analysis(walking(**kwargs)).report.findings}["weight_shift"]
    assert shift.status == "not_detected", shift.message
    assert shift.side is None and shift.value < 5.0
    assert "evenly" in shift.message


def test_a_slight_asymmetry_near_the_cut_off_is_uncertain_or_not_detected():
    # 58 % against 64 %: a true index of 9.8 %, just short of the cut-off; whatever the
    # events' timing error makes of it, never a clear limp.
    pose = walking(view="side_left", duration_s=7.0, stance_pct=58.0, stance_pct_right=64.0)
    shift = {f.id: f for f in _analysis(pose).report.findings}["weight_shift"]
    assert shift.status in ("uncertain", "not_detected"), shift.message


def test_too_few_strides_are_not_assessable_and_say_why():
    pose = walking(view="side_left", duration_s=4.0)  # 3 left strides, 2 right
    shift = {f.id: f for f in _analysis(pose).report.findings}["weight_shift"]
    assert shift.status == "not_assessable"
    assert "too few strides" in shift.message and "2 right" in shift.message
    assert shift.value is None and not shift.evidence


def test_the_walking_cut_off_comes_from_config():
    pose = _limp("left")
    lenient = Config(weight_shift=WeightShiftThresholds(
        walking_bands=Config().weight_shift.walking_bands.__class__(40.0, 50.0, 60.0),
        walking_step_time_si_pct=60.0))
    shift = {f.id: f for f in _analysis(pose, lenient).report.findings}["weight_shift"]
    assert shift.status == "not_detected" and shift.threshold == 40.0


def test_the_standing_branch_is_unchanged():
    from synthetic_landmarks import standing

    shift = {f.id: f for f in _analysis(standing(view="front", load_share_right_pct=70.0))
             .report.findings}["weight_shift"]
    assert (shift.status, shift.side, shift.unit) == ("detected", "right", "%")
    assert shift.value == pytest.approx(70.0, abs=0.5)
    assert "judged_from" not in shift.details


def test_a_figure_with_equal_stances_is_unchanged_by_the_limp_fields():
    a, b = build(Figure(activity="walking")), build(Figure(activity="walking",
                                                           stance_pct_right=60.0))
    assert np.allclose(a.xy_px, b.xy_px)


# --------------------------------------------------------------------------- app and PDF


@pytest.fixture(scope="module")
def limp_report() -> dict:
    return _analysis(_limp("left", noise_px=0.5)).report.to_dict()


def test_cycle_charts_show_strides_mean_toe_off_and_the_normal_band(limp_report):
    from ui import charts

    gait = limp_report["gait"]
    assert charts.cycle_curve_names(gait)[0] == "knee_flexion_deg"
    for side in SIDES:
        fig = charts.cycle_chart(gait, side)
        names = [t.name for t in fig.data]
        assert "healthy adults ±1 SD" in names and f"{side} mean" in names
        strides = [t for t in fig.data if t.name == "each stride"]
        assert len(strides) == gait["per_side"][side]["strides"]
        # Each stride's points carry their time in the recording, for the video to jump to.
        first = gait["per_side"][side]["per_stride"][0]
        assert strides[0].customdata[0] == pytest.approx(first["start_t_s"], abs=1e-3)
        assert strides[0].customdata[-1] == pytest.approx(first["end_t_s"], abs=2e-3)
        [toe_off] = [s for s in fig.layout.shapes if s.type == "line"]
        assert toe_off.x0 == pytest.approx(gait["per_side"][side]["toe_off_pct"])
    hip = charts.cycle_chart(gait, "left", "hip_extension_deg")
    assert "healthy adults ±1 SD" not in [t.name for t in hip.data]  # no cited band


def test_the_table_rows_have_both_sides_and_symmetry(limp_report):
    from ui import charts

    rows = {r["Measure"]: r for r in charts.spatiotemporal_rows(limp_report["gait"])}
    assert rows["Strides counted"]["Symmetry index"] == ""
    stance = rows["Stance (% of stride)"]
    assert float(stance["Left"]) < float(stance["Right"])
    assert stance["Symmetry index"].startswith("-")
    assert "Step length (m)" not in rows  # no height given
    assert charts.spatiotemporal_rows({"reliable": False, "per_side": {}}) == []


def test_time_charts_draw_thresholds_and_never_blow_up_noise():
    from ui import charts

    t = [i / 30 for i in range(60)]
    series = {"t_s": t, "trunk_inclination_deg": [1.0 + 0.3 * np.sin(i) for i in range(60)],
              "knee_flexion_left_deg": [5.0 + 0.5 * np.cos(i) for i in range(60)]}
    report = {"findings": [{"id": "hollow_back", "threshold": 5.0},
                           {"id": "knee_hyperextension", "threshold": -5.0},
                           {"id": "bent_knee", "threshold": 10.0}]}
    trunk, = [f for f in charts.all_charts(series, None, report) if "Trunk" in
              f.layout.title.text]
    lo, hi = trunk.layout.yaxis.range
    assert hi - lo >= 10.0  # 0.6 deg of wobble is not drawn full height
    assert any(s.type == "line" and s.y0 == 5.0 and s.line.dash == "dash"
               for s in trunk.layout.shapes)
    knee = charts.knee_chart(series, None, charts.thresholds_from(report))
    dashed = sorted(s.y0 for s in knee.layout.shapes if s.type == "line" and
                    s.line.dash == "dash")
    assert dashed == [-5.0, 10.0]
    assert knee.layout.yaxis.range[0] <= -5.0 and knee.layout.yaxis.range[1] >= 10.0


def test_a_click_on_a_chart_gives_the_time_to_jump_to():
    from ui import charts

    assert charts.clicked_time({"selection": {"points": [{"x": 2.4, "y": 3.0}]}}) == 2.4
    assert charts.clicked_time({"selection": {"points": []}}) is None
    assert charts.clicked_time(None) is None
    cycle_point = {"x": 40, "y": 12.0, "customdata": 3.21}
    assert charts.clicked_time({"selection": {"points": [cycle_point]}}, True) == 3.21


def _inflated(pdf: bytes) -> bytes:
    import re
    import zlib

    out = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(out)


def test_the_pdf_draws_the_cycle_plots_and_the_table(monkeypatch, limp_report):
    from reports import pdf as pdf_module
    from reports.pdf import PdfStep, analysis_pdf, session_pdf

    drawn: list[str] = []
    original = pdf_module._Doc.para

    def spy(self, text, size=10, bold=False, color=(0, 0, 0)):  # noqa: ANN001, ANN202
        drawn.append(text)
        return original(self, text, size=size, bold=bold, color=color)

    monkeypatch.setattr(pdf_module._Doc, "para", spy)
    pdf = analysis_pdf(limp_report, source_name="limp.mp4")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert "Gait cycle, per side" in drawn and "Spatiotemporal table" in drawn
    assert any(t.startswith("Robinson's symmetry index") for t in drawn)
    content = _inflated(pdf)
    # Polylines of 101 points per stride and mean, and the band's filled polygon.
    assert content.count(b" l\n") > 4 * 100
    assert b" f\n" in content or b"\nf\n" in content
    drawn.clear()
    session_pdf("P-1", [PdfStep("Walking, side-on", limp_report)])
    assert "Gait cycle, per side" in drawn
    drawn.clear()
    unreliable = copy.deepcopy(limp_report)
    unreliable["gait"].update(reliable=False, unreliable_reason="too few steps")
    analysis_pdf(unreliable)
    assert "Gait cycle, per side" not in drawn
