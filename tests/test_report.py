"""posture.report: the JSON report follows its schema in every case, and the per-frame CSV."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import numpy as np
import pytest
from synthetic_landmarks import (
    media_info,
    photo,
    standing,
    walking,
    with_visibility,
    without_person,
)

from posture.explanations import Symptoms
from posture.measurements import MEASUREMENTS, Measurements
from posture.pipeline import analyse_poses
from posture.report import (
    SCHEMA_PATH,
    SCHEMA_VERSION,
    measurements_csv,
    summarise_measurements,
    validate,
    write_csv,
    write_json,
)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "report.md"
IDS = ["hollow_back", "knee_hyperextension", "bent_knee", "weight_shift",
       "reduced_trunk_pelvis_motion"]

CASES = {
    "photo_side": lambda: photo(view="side_left", knee_flexion_left_deg=-12.0),
    "photo_front": lambda: photo(view="front", load_share_right_pct=70.0),
    "standing_video": lambda: standing(view="side_right", trunk_inclination_deg=12.0,
                                       hip_forward_offset_pct=5.0, noise_px=1.0),
    "standing_front_video": lambda: standing(view="back", load_share_right_pct=35.0),
    "walking_video": lambda: walking(view="side_left", arm_swing_deg=0.0,
                                     pelvis_rotation_deg=0.0, shoulder_rotation_deg=0.0),
    "oblique_video": lambda: standing(view=45.0),
    "no_person": lambda: without_person(standing()),
    "no_person_photo": lambda: without_person(photo()),
    "half_hidden": lambda: with_visibility(standing(view="side_left"), list(range(23, 33)),
                                           0.1),
    "live": lambda: standing(view="side_left", kind="live"),
}


def _report(pose, symptoms=None):
    return analyse_poses(pose, media_info(pose), symptoms=symptoms).report


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_the_schema_is_valid_draft_2020_12(schema):
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize("case", list(CASES))
def test_report_validates_against_the_schema(case):
    report = _report(CASES[case]())
    data = report.to_dict()
    validate(data)
    # What the CLI writes is the same document, strict JSON (no NaN).
    validate(json.loads(report.to_json()))
    assert [f["id"] for f in data["findings"]] == IDS


@pytest.mark.parametrize("case", ["standing_video", "walking_video", "no_person", "live"])
def test_every_field_the_engine_writes_is_in_the_schema(case, schema):
    # The schema lets summary and gait grow; this keeps it (and the docs page, checked
    # below against the schema) in step with what the engine really writes.
    data = _report(CASES[case]()).to_dict()
    assert set(data["summary"]) <= set(schema["$defs"]["summary"]["properties"])
    assert set(data["summary"]["source"]) <= set(
        schema["$defs"]["summary"]["properties"]["source"]["properties"])
    if data["gait"] is not None:
        assert set(data["gait"]) <= set(schema["$defs"]["gait"]["properties"])


def test_report_with_symptoms_and_red_flags_validates():
    symptoms = Symptoms.from_dict({"painful_side": "left", "swelling_one_leg": "yes",
                                   "calf_warm_red": "yes", "long_sitting_bent_knees": "yes"})
    data = _report(standing(knee_flexion_left_deg=-12.0), symptoms).to_dict()
    validate(data)
    assert data["red_flags"] and data["explanations"]


def test_contract_names(schema):
    data = _report(standing(view="side_left", knee_flexion_left_deg=-12.0)).to_dict()
    assert data["schema_version"] == "4"
    assert data["summary"]["view"] == "side_left"
    assert data["summary"]["activity"] == "standing"
    for name in ("knee_flexion_left_deg", "knee_flexion_right_deg", "trunk_inclination_deg"):
        assert "median" in data["measurements"][name]
    hyper = next(f for f in data["findings"] if f["id"] == "knee_hyperextension")
    assert set(hyper) >= {"id", "status", "severity", "side", "value", "unit", "threshold",
                          "confidence", "evidence", "view_required", "message"}
    assert hyper["evidence"][0].keys() == {"frame_index", "t_s", "value"}
    assert data["gait"] is None
    front = _report(standing(view="front")).to_dict()
    assert "pelvic_obliquity_deg" in front["measurements"]


def test_walking_report_has_gait_events():
    data = _report(walking(view="side_right")).to_dict()
    gait = data["gait"]
    assert gait["cadence_steps_per_min"] == pytest.approx(110.0, abs=2.0)
    kinds = {(e["side"], e["kind"]) for e in gait["events"]}
    assert kinds == {(s, k) for s in ("left", "right") for k in ("heel_strike", "toe_off")}


def test_no_person_is_a_valid_report_that_says_so():
    data = _report(without_person(standing())).to_dict()
    assert data["summary"]["person_found"] is False
    assert data["summary"]["frames_of_subject"] == 0
    assert data["measurements"] == {}
    assert all(f["status"] == "not_assessable" for f in data["findings"])
    assert any("No person" in m for m in data["summary"]["messages"])


def test_no_person_findings_do_not_ask_for_another_view():
    data = _report(without_person(standing())).to_dict()
    for finding in data["findings"]:
        assert "side view" not in finding["message"], finding["message"]
        assert "face the camera" not in finding["message"], finding["message"]


# --------------------------------------------------------------------------- schema teeth


CAMERA = {"roll_deg": 2.8, "roll_source": "soles of the feet (heel to toe)",
          "off_axis_deg": 12.0, "off_axis_source": "spread of the shoulders and hips",
          "corrected": True, "notes": []}


def _valid_report() -> dict:
    data = _report(standing(view="side_left", knee_flexion_left_deg=-12.0)).to_dict()
    # The engine writes summary.camera; a hand-made one keeps these tests about the schema
    # alone while that lands.
    data["summary"].setdefault("camera", copy.deepcopy(CAMERA))
    return data


def _broken(path: list, value) -> dict:
    data = copy.deepcopy(_valid_report())
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize("path, value", [
    (["schema_version"], "1"),
    (["schema_version"], KeyError),
    (["summary", "view"], "sideways"),
    (["summary", "activity"], "cycling"),
    (["summary", "camera"], KeyError),
    (["summary", "camera"], None),
    (["summary", "camera", "roll_deg"], "3 deg"),
    (["summary", "camera", "roll_source"], KeyError),
    (["summary", "camera", "off_axis_deg"], -4.0),  # unsigned
    (["summary", "camera", "corrected"], None),
    (["summary", "camera", "notes"], "none"),
    (["findings", 1, "status"], "maybe"),
    (["findings", 1, "severity"], "none"),  # detected but no severity
    (["findings", 1, "side"], "middle"),
    (["findings", 1, "confidence"], 1.5),
    (["findings", 1, "evidence", 0, "t_s"], -1.0),
    (["findings", 3, "value"], 55.0),  # not_assessable with a value
    (["findings", 1, "unit"], "degrees"),
    (["measurements", "knee_flexion_left_deg", "median"], None),
    (["measurements", "knee_flexion_left"], {"unit": "deg", "median": 1.0, "n_frames": 1}),
    (["gait"], {"events": [{"side": "left", "kind": "step", "t_s": 0.5}],
                "cadence_steps_per_min": 100.0}),
    (["surprise"], 1),
])
def test_the_schema_rejects_broken_reports(path, value):
    assert _valid_report()["findings"][1]["status"] == "detected"
    with pytest.raises(jsonschema.ValidationError):
        validate(_broken(path, value))


def _uncertain_report() -> dict:
    """Version 2 by hand: an uncertain finding, a camera without values, running with an
    unreliable gait, and an explanation that rests on the uncertain finding."""
    data = _valid_report()
    data["summary"]["activity"] = "running"
    data["summary"]["camera"] = {
        "roll_deg": None, "roll_source": "not measured: the feet did not cover enough floor",
        "off_axis_deg": None, "off_axis_source": "not measured", "corrected": False,
        "notes": ["The floor line leans +9°, more than a tilted camera explains."],
    }
    hyper = data["findings"][1]
    hyper.update(status="uncertain", severity="mild", confidence=0.5)
    data["gait"] = {"events": [{"side": "left", "kind": "heel_strike", "t_s": 0.5}],
                    "cadence_steps_per_min": None, "kind": "running", "reliable": False,
                    "unreliable_reason": "Too few steps were seen to time the gait."}
    data["explanations"] = [{
        "id": "hollow_back_pattern", "title": "Hollow back", "text": "Possibly ...",
        "relevance": "uncertain_findings", "score": 0.7, "based_on_findings": [],
        "based_on_uncertain_findings": ["knee_hyperextension"], "based_on_symptoms": [],
        "source": {"passage_id": "bilateral.p1", "origin": "calf_pain_document",
                   "file": "calf-pain-document.txt", "section": "Causes of bilateral calf pain",
                   "start": 86, "end": 369},
        "advice": "Have a look."}]
    return data


def test_version_2_fields_validate():
    validate(_valid_report())
    validate(_uncertain_report())
    reliable = _uncertain_report()
    reliable["gait"].update(kind="walking", reliable=True, unreliable_reason=None)
    validate(reliable)


@pytest.mark.parametrize("path, value", [
    (["findings", 1, "severity"], "none"),  # uncertain carries a severity like detected
    (["findings", 1, "value"], None),
    (["gait", "kind"], "crawling"),
    (["gait", "reliable"], "no"),
    (["gait", "unreliable_reason"], 3),
    (["explanations", 0, "relevance"], "possibly"),
])
def test_the_schema_rejects_broken_version_2_fields(path, value):
    data = _uncertain_report()
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


# --------------------------------------------------------------------------- summaries


def _measurements(values: dict[str, np.ndarray]) -> Measurements:
    n = len(next(iter(values.values())))
    return Measurements(np.arange(n), np.arange(n) / 30.0, values, np.zeros((n, 33, 2)), 270.0)


def test_a_photo_summary_is_the_single_value():
    data = _report(photo(view="side_right", knee_flexion_right_deg=-9.0)).to_dict()
    knee = data["measurements"]["knee_flexion_right_deg"]
    assert knee["n_frames"] == 1
    assert knee["median"] == pytest.approx(-9.0, abs=0.05)
    assert knee["min"] == knee["max"] == knee["p10"] == knee["p90"] == knee["median"]
    assert knee["unit"] == "deg"


def test_summaries_use_only_the_given_frames_and_skip_empty_series():
    series = np.array([1.0, 2.0, 3.0, 100.0, np.nan])
    m = _measurements({"knee_flexion_left_deg": series,
                       "knee_flexion_right_deg": np.full(5, np.nan)})
    out = summarise_measurements(m, np.array([True, True, True, False, True]))
    assert set(out) == {"knee_flexion_left_deg"}
    left = out["knee_flexion_left_deg"]
    assert (left["median"], left["min"], left["max"], left["n_frames"]) == (2.0, 1.0, 3.0, 3)
    assert summarise_measurements(m)["knee_flexion_left_deg"]["max"] == 100.0


def test_standing_summary_is_taken_over_quiet_frames():
    pose = standing(view="side_left", knee_flexion_left_deg=-12.0, duration_s=3.0)
    # The subject bobs down and up in the last second: those frames are not quiet standing.
    t = pose.t_s
    moving = t >= 2.0
    pose.xy_px[moving, :, 1] += 60 * np.sin(2 * np.pi * (t[moving] - 2.0))[:, None]
    analysis = analyse_poses(pose, media_info(pose))
    quiet = analysis.report.summary["frames_quiet_standing"]
    assert 0 < quiet < len(pose)
    assert analysis.report.measurements["knee_flexion_left_deg"]["n_frames"] == quiet


# --------------------------------------------------------------------------- CSV


def test_csv_has_one_row_per_frame_and_the_right_header():
    pose = with_visibility(standing(view="side_left"), [25], 0.1)  # left knee hidden
    analysis = analyse_poses(pose, media_info(pose))
    rows = list(csv.reader(io.StringIO(measurements_csv(analysis.measurements))))
    header, body = rows[0], rows[1:]
    assert header == ["frame_index", "t_s", *analysis.measurements.values]
    assert set(header[2:]) == set(MEASUREMENTS)
    assert len(body) == len(pose)
    assert all(len(r) == len(header) for r in body)
    col = {name: i for i, name in enumerate(header)}
    for i, row in enumerate(body):
        assert int(row[col["frame_index"]]) == i
        assert float(row[col["t_s"]]) == pytest.approx(i / 30.0, abs=1e-4)
        assert row[col["knee_flexion_left_deg"]] == ""  # missing -> empty cell
        assert row[col["load_share_right_pct"]] == ""  # front-view only
        right = float(row[col["knee_flexion_right_deg"]])
        assert right == pytest.approx(analysis.series["knee_flexion_right_deg"][i], abs=5e-4)


def test_csv_of_a_photo_has_one_row():
    analysis = analyse_poses(photo(), media_info(photo()))
    assert len(measurements_csv(analysis.measurements).splitlines()) == 2


def test_write_json_and_csv(tmp_path):
    pose = walking(view="side_right")
    analysis = analyse_poses(pose, media_info(pose))
    json_path, csv_path = tmp_path / "r.json", tmp_path / "m.csv"
    write_json(analysis.report, json_path)
    write_csv(analysis.measurements, csv_path)
    validate(json.loads(json_path.read_text(encoding="utf-8")))
    assert len(csv_path.read_text(encoding="utf-8").splitlines()) == len(pose) + 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.csv", "r.json"]  # no temp left


# --------------------------------------------------------------------------- docs


def test_the_docs_page_names_every_field_and_measurement(schema):
    text = DOCS.read_text(encoding="utf-8")
    names = set(MEASUREMENTS)
    names |= set(schema["properties"])
    names |= set(schema["$defs"]["finding"]["properties"])
    names |= set(schema["$defs"]["summary"]["properties"])
    names |= set(schema["$defs"]["gait"]["properties"])
    missing = sorted(n for n in names if not re.search(rf"`{re.escape(n)}`", text))
    assert not missing, f"docs/report.md does not describe: {missing}"
