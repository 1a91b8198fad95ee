"""The review section (``ui.review``) in Streamlit's AppTest: frame slider and step buttons,
values read from the engine's per-frame series, a bad correction as one sentence."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest


def _result():  # noqa: ANN202
    """A three-frame side-view result: a stick figure, and a knee series the UI must show
    as it is (the numbers are deliberately not what the drawn landmarks would give)."""
    from posture.pose import PoseSequence
    from posture.source import MediaInfo
    from ui.engine import EngineResult, ReviewData

    n, w, h = 3, 160, 240
    xy = np.full((n, 33, 2), np.nan)
    for i, (x, y) in {11: (80, 60), 23: (80, 120), 25: (82, 170), 27: (80, 220),
                      29: (88, 228), 31: (66, 228)}.items():
        xy[:, i] = (x, y)
    pose = PoseSequence(np.array([0, 1, 2]), np.array([0.0, 0.1, 0.2]), xy, np.zeros((n, 33)),
                        np.ones((n, 33)), np.zeros((n, 33, 3)), w, h, "video")
    pictures = {}
    for p in range(n):
        buffer = io.BytesIO()
        Image.fromarray(np.full((h, w, 3), 90 + 40 * p, np.uint8)).save(buffer, format="JPEG")
        pictures[p] = buffer.getvalue()
    info = MediaInfo("video", w, h, 10.0, 0.3, n, 0, "h264", None)
    report = {"summary": {"view": "side_left", "activity": "standing", "messages": [],
                          "source": {"kind": "video"}},
              "measurements": {}, "findings": [], "gait": None, "explanations": [],
              "red_flags": [], "disclaimer": "Screening aid."}
    series = {"frame_index": [0.0, 1.0, 2.0], "t_s": [0.0, 0.1, 0.2],
              "knee_flexion_left_deg": [4.3, -7.5, math.nan]}
    review = ReviewData(pose=pose, info=info, symptoms=None, view="side_left",
                        landmarks_px=xy.copy(), pictures=pictures)
    result = EngineResult(report=report, series=series, source_name="clip.mp4", review=review)
    review.original = {"report": report, "series": series, "csv_text": "", "strides_csv": "",
                       "key_frames": [], "landmarks_px": xy.copy()}
    return result


def _script() -> None:
    import streamlit as st

    from tests.test_app_review import _result
    from ui.review import review_section

    if "r" not in st.session_state:
        st.session_state["r"] = _result()
    review_section(st.session_state["r"], key="t")


def _knee_cell(at: AppTest) -> str | None:
    """The left knee's value in the reviewed frame's table (a markdown table)."""
    for block in at.markdown:
        for line in block.value.splitlines():
            if line.startswith("| Left knee flexion"):
                return line.strip("| ").split("|")[-1].strip()
    return None


def test_step_through_frames_and_read_the_engines_values() -> None:
    at = AppTest.from_function(_script, default_timeout=60).run()
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Review frame by frame"]
    # No finding to show: it opens at the middle of the frames with the most landmarks.
    assert at.select_slider[0].value == 1
    assert _knee_cell(at) == "-7.5°"
    at.button(key="t-review-next").click().run()  # no value at this frame: not listed
    assert at.select_slider[0].value == 2 and _knee_cell(at) is None
    at.button(key="t-review-next").click().run()  # stays on the last frame
    assert at.select_slider[0].value == 2
    at.button(key="t-review-prev").click().run()
    at.button(key="t-review-prev").click().run()
    assert at.select_slider[0].value == 0
    assert _knee_cell(at) == "+4.3°"
    assert not at.exception


def test_a_correction_off_the_picture_is_one_sentence() -> None:
    from ui.engine import correct_landmarks

    result = _result()
    message = correct_landmarks(result, [{"frame_index": 1, "landmark": 25, "x_px": 400,
                                          "y_px": 10}])
    assert message is not None and "off the picture" in message and "\n" not in message
    assert result.review.corrections == [] and "corrections" not in result.report
