"""Before/after: key frames aligned at the feet, trends across sessions, walks in step,
and the PDF's comparison page.

The alignment is checked on small synthetic pictures whose landmarks are known exactly: a
grey bar from the ankle to the shoulder, a red dot on the ankle, a green one on the
shoulder. After alignment both pictures must show the red dot on the same canvas pixel and
the green one at the same height, whatever size and place the body had.
"""

from __future__ import annotations

import numpy as np
import pytest
from pdf_pages import page_count, render_page
from PIL import Image, ImageDraw

from posture.landmarks import (
    LEFT_ANKLE,
    LEFT_SHOULDER,
    RIGHT_ANKLE,
    RIGHT_SHOULDER,
)
from reports.before_after import (
    BACKGROUND,
    FEET_AT,
    KEY_FRAME_KIND,
    PLUMB_COLOUR,
    SessionRef,
    SessionSide,
    _toy_landmarks,
    align_key_frames,
    anchor_for,
    compare_key_frames,
    gait_sync,
    key_frame_pose,
    trend_y_range,
    trends,
)
from reports.compare import compare_verdicts
from reports.pdf import ComparisonPage, PdfStep, session_pdf

RED, GREEN = (255, 0, 0), (0, 255, 0)


def _figure(size_wh: tuple[int, int], foot_x: int, ground_y: int, shoulder_y: int
            ) -> tuple[Image.Image, dict]:
    """A white picture with a standing 'body' and its key-frame annotation."""
    image = Image.new("RGB", size_wh, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    ankle_y = ground_y - 5
    draw.rectangle([foot_x - 3, shoulder_y, foot_x + 3, ankle_y], fill=(90, 90, 90))
    draw.ellipse([foot_x - 4, ankle_y - 4, foot_x + 4, ankle_y + 4], fill=RED)
    draw.ellipse([foot_x - 4, shoulder_y - 4, foot_x + 4, shoulder_y + 4], fill=GREEN)
    xy = _toy_landmarks(foot_x, ground_y, shoulder_y)
    payload = {"frame_index": 0, "t_s": 0.0, "image_size": list(size_wh),
               "landmarks_px": [[float(x), float(y)] for x, y in xy]}
    return image, payload


def _centroid(image: Image.Image, colour: tuple[int, int, int]) -> tuple[float, float]:
    rgb = np.asarray(image).astype(int)
    mask = (np.abs(rgb - np.array(colour)).sum(axis=2) < 120)
    ys, xs = np.nonzero(mask)
    assert len(xs) > 0, f"no {colour} pixel"
    return float(xs.mean()), float(ys.mean())


def test_two_bodies_of_different_size_and_place_land_on_the_same_feet() -> None:
    small, p_small = _figure((200, 300), foot_x=60, ground_y=280, shoulder_y=180)
    big, p_big = _figure((400, 500), foot_x=300, ground_y=430, shoulder_y=110)
    result = align_key_frames([small, big], [key_frame_pose(p_small), key_frame_pose(p_big)],
                              ["side_left", "side_left"], height_px=400)
    assert result.aligned and result.note == ""
    assert result.measure == "ankle to shoulder"
    assert [im.size for im in result.images] == [result.images[0].size] * 2
    # The bodies' ankle-to-shoulder lengths were 95 and 315 px: scaled to the same length.
    assert result.scales[0] / result.scales[1] == pytest.approx(315 / 95, rel=1e-6)
    red = [_centroid(im, RED) for im in result.images]
    green = [_centroid(im, GREEN) for im in result.images]
    w, h = result.images[0].size
    for (x, y), scale in zip(red, result.scales, strict=True):
        assert x == pytest.approx(FEET_AT[0] * w, abs=1.5)  # the ankles on one vertical
        # ... and the ground (5 px below the ankle in the source) on one line.
        assert y + 5 * scale == pytest.approx(FEET_AT[1] * h, abs=1.5)
    assert red[0][1] - green[0][1] == pytest.approx(red[1][1] - green[1][1], abs=1.5)
    # The plumb line runs through the ankle, top to bottom, in both pictures.
    assert result.plumb_x_px == round(FEET_AT[0] * w)
    for im in result.images:
        column = np.asarray(im)[:, result.plumb_x_px].astype(int)
        blue = (np.abs(column - np.array(PLUMB_COLOUR)).sum(axis=1) < 60).mean()
        assert blue > 0.3, blue
    # Above the big picture's top edge (it was scaled down): the neutral background, not
    # stretched edge pixels.
    assert tuple(np.asarray(result.images[1])[2, 2]) == BACKGROUND


def test_landmarks_follow_a_key_frame_stored_smaller_than_the_analysed_frame() -> None:
    full, payload = _figure((400, 600), foot_x=150, ground_y=560, shoulder_y=200)
    half = full.resize((200, 300))
    other, p_other = _figure((300, 300), foot_x=100, ground_y=290, shoulder_y=100)
    result = align_key_frames([half, other], [key_frame_pose(payload), key_frame_pose(p_other)],
                              ["side_right", "side_right"], height_px=300)
    red = [_centroid(im, RED) for im in result.images]
    green = [_centroid(im, GREEN) for im in result.images]
    assert red[0][0] == pytest.approx(red[1][0], abs=2.0)
    assert red[0][1] - green[0][1] == pytest.approx(red[1][1] - green[1][1], abs=2.0)


def test_front_view_anchors_midway_between_the_feet() -> None:
    xy = _toy_landmarks(100, 290, 100)
    xy[LEFT_ANKLE], xy[RIGHT_ANKLE] = (130, 285), (70, 285)
    xy[LEFT_SHOULDER], xy[RIGHT_SHOULDER] = (140, 100), (60, 100)
    pose = key_frame_pose({"image_size": [200, 300], "landmarks_px": xy.tolist()})
    front = anchor_for(pose, (200, 300), "front")
    side = anchor_for(pose, (200, 300), "side_left")
    assert front.foot_x_px == pytest.approx(100.0)
    assert side.foot_x_px == pytest.approx(130.0)  # the left ankle faces the camera
    assert anchor_for(pose, (200, 300), "side_right").foot_x_px == pytest.approx(70.0)
    assert front.ankle_to_shoulder_px == pytest.approx(185.0)


def test_without_landmarks_the_frames_are_scaled_to_one_height_and_the_note_says_so() -> None:
    a, pa = _figure((200, 300), 60, 280, 180)
    b, _ = _figure((400, 500), 300, 430, 110)
    result = align_key_frames([a, b], [key_frame_pose(pa), None], ["side_left"] * 2,
                              height_px=250,
                              labels=["the session of 1 Nov", "the session of 9 Nov"])
    assert not result.aligned and result.plumb_x_px is None
    assert [im.height for im in result.images] == [250, 250]
    assert "9 Nov" in result.note and "1 Nov" not in result.note
    assert "Not aligned" in result.note


@pytest.mark.parametrize("payload", [
    None, {}, {"image_size": [0, 10], "landmarks_px": [[1, 2]] * 33},
    {"image_size": [10, 10], "landmarks_px": [[1, 2]] * 32},
    {"image_size": "big", "landmarks_px": [[1, 2]] * 33},
    {"image_size": [10, 10], "landmarks_px": [["a", 2]] * 33},
])
def test_a_damaged_or_missing_annotation_is_no_pose(payload) -> None:  # noqa: ANN001
    assert key_frame_pose(payload) is None


def test_missing_landmarks_stay_missing() -> None:
    points = [[1.0, 2.0]] * 33
    points[LEFT_SHOULDER] = [None, None]
    pose = key_frame_pose({"image_size": [10, 10], "landmarks_px": points})
    assert np.isnan(pose.landmarks_px[LEFT_SHOULDER]).all()


# --- trends -----------------------------------------------------------------------------------


def _finding(check: str, status: str, value: float | None, threshold: float, unit: str = "deg"
             ) -> dict:
    return {"id": check, "status": status, "severity": "mild" if status == "detected" else "none",
            "value": value, "unit": unit, "threshold": threshold, "confidence": 0.9}


def _session(sid: int, day: int, **steps: list[dict]) -> SessionRef:
    return SessionRef(sid, f"2026-11-{day:02d}T10:00:00",
                      {k: {"findings": v, "summary": {"view": "side_left"}}
                       for k, v in steps.items()})


def test_trends_read_each_sessions_value_oldest_first_with_gaps() -> None:
    s1 = _session(1, 1, standing_side=[_finding("knee_hyperextension", "detected", -9.4, -5.0)],
                  walking_side=[_finding("knee_hyperextension", "not_detected", -1.0, -5.0)])
    s2 = _session(2, 9, standing_side=[
        _finding("knee_hyperextension", "not_assessable", None, -5.0)])
    s3 = _session(3, 20, standing_side=[
        _finding("knee_hyperextension", "not_detected", -2.5, -5.0)])
    out = trends([s3, s1, s2])
    assert [(t.check_id, t.step_key) for t in out] == [
        ("knee_hyperextension", "standing_side"), ("knee_hyperextension", "walking_side")]
    standing = out[0]
    assert [p.session_id for p in standing.points] == [1, 2, 3]
    assert [p.value for p in standing.points] == [-9.4, None, -2.5]  # as stored, a gap
    assert [p.status for p in standing.points] == ["detected", "not_assessable", "not_detected"]
    assert standing.thresholds == (-5.0,)
    walking = out[1]
    assert [p.value for p in walking.points] == [-1.0, None, None]
    assert walking.points[1].status == "not_recorded"


def test_trend_axis_does_not_blow_a_degree_of_noise_up_to_full_height() -> None:
    noisy = trends([_session(i, i, standing_side=[_finding("hollow_back", "not_detected",
                                                            2.0 + 0.5 * (i % 2), 5.0)])
                    for i in range(1, 5)])[0]
    lo, hi = trend_y_range(noisy)
    assert hi - lo >= 10.0 and lo <= 2.0 and hi >= 5.0  # values and threshold inside
    wide = trends([_session(1, 1, standing_side=[_finding("hollow_back", "detected", 30.0, 5.0)]),
                   _session(2, 2, standing_side=[_finding("hollow_back", "not_detected", 0.0,
                                                          5.0)])])[0]
    lo, hi = trend_y_range(wide)
    assert lo < 0.0 and hi > 30.0 and hi - lo < 40.0


def test_trend_chart_draws_thresholds_and_one_point_per_session() -> None:
    from ui.charts import TREND_POINT_COLOURS, trend_chart

    trend = trends([_session(1, 1, standing_side=[_finding("hollow_back", "detected", 11.7, 5.0)]),
                    _session(2, 5, standing_side=[_finding("hollow_back", "not_detected", 3.0,
                                                           5.0)]),
                    _session(3, 9, standing_side=[_finding("hollow_back", "not_detected", 3.5,
                                                           5.0)])])[0]
    fig = trend_chart(trend)
    assert len(fig.data) == 1 and list(fig.data[0].y) == [11.7, 3.0, 3.5]
    assert fig.data[0].marker.color[0] == TREND_POINT_COLOURS["detected"]
    assert fig.data[0].marker.color[1] != TREND_POINT_COLOURS["detected"]
    assert [s.y0 for s in fig.layout.shapes] == [5.0]
    lo, hi = fig.layout.yaxis.range
    assert hi - lo >= 10.0


# --- walks in step ---------------------------------------------------------------------------


def _gait(stride_s: float, first_left_s: float, reliable: bool = True) -> dict:
    events = []
    for k in range(3):
        events.append({"side": "left", "kind": "heel_strike", "t_s": first_left_s + k * stride_s})
        events.append({"side": "right", "kind": "heel_strike",
                       "t_s": first_left_s + (k + 0.5) * stride_s})
    return {"reliable": reliable, "stride_time_s": stride_s, "events": events,
            "strides_per_side": {"left": 2, "right": 2},
            "per_side": {"left": {"stride_time_s": stride_s}, "right": {"stride_time_s": stride_s}}}


def test_walks_in_step_play_the_second_at_the_ratio_of_cycle_times() -> None:
    sync = gait_sync(_gait(1.0, 0.3), _gait(1.25, 0.8))
    assert sync.side == "left"
    assert sync.start_s == (0.3, 0.8)
    assert sync.rate_b == pytest.approx(1.25)  # 1.25 s of B per 1 s of A: one cycle each
    # Only the right leg struck in both walks: the right leg it is.
    a = _gait(1.0, 0.3)
    a["events"] = [e for e in a["events"] if e["side"] == "right"]
    assert gait_sync(a, _gait(1.1, 0.2)).side == "right"


@pytest.mark.parametrize("gaits, words", [
    ((_gait(1.0, 0.3, reliable=False), _gait(1.0, 0.3)), "not reliable"),
    ((None, _gait(1.0, 0.3)), "not analysed"),
    ((_gait(0.3, 0.1), _gait(1.5, 0.1)), "threefold"),
])
def test_walks_that_cannot_be_put_in_step_say_why(gaits, words) -> None:  # noqa: ANN001
    reason = gait_sync(*gaits)
    assert isinstance(reason, str) and words in reason


def test_sync_player_carries_both_videos_and_the_rate() -> None:
    from ui.compare import sync_html

    sync = gait_sync(_gait(1.0, 0.3), _gait(1.25, 0.8))
    page = sync_html(b"AAAA", b"BBBB", sync, ("Before", "Now"))
    assert page.count("<video") == 2 and page.count("data:video/mp4;base64,") == 2
    assert '"rate": 1.25' in page and '"startA": 0.3' in page and '"startB": 0.8' in page
    assert "gait cycle 1.25 s" in page


# --- the PDF's comparison page ---------------------------------------------------------------


def _two_sessions() -> tuple[SessionSide, SessionSide, list[SessionRef]]:
    a_img, a_pose = _figure((200, 300), 60, 280, 150)
    b_img, b_pose = _figure((300, 400), 200, 380, 120)
    before = _session(1, 1, standing_side=[_finding("hollow_back", "detected", 11.7, 5.0),
                                           _finding("knee_hyperextension", "detected", -9.0,
                                                    -5.0)])
    after = _session(2, 20, standing_side=[_finding("hollow_back", "not_detected", 2.0, 5.0),
                                           _finding("knee_hyperextension", "not_detected",
                                                    -2.0, -5.0)])
    middle = _session(3, 10, standing_side=[_finding("hollow_back", "uncertain", 5.5, 5.0)])
    sides = (SessionSide(before, {"standing_side": np.asarray(a_img)},
                         {"standing_side": {KEY_FRAME_KIND: a_pose}}),
             SessionSide(after, {"standing_side": np.asarray(b_img)},
                         {"standing_side": {KEY_FRAME_KIND: b_pose}}))
    return sides[0], sides[1], [before, middle, after]


def _page(before: SessionSide, after: SessionSide, refs: list[SessionRef]) -> ComparisonPage:
    return ComparisonPage("no. 1, 1 Nov 2026, 10:00", "no. 2, 20 Nov 2026, 10:00",
                          compare_key_frames(before, after, height_px=300, short=True),
                          compare_verdicts(before.ref.steps, after.ref.steps), trends(refs))


def test_comparison_page_is_one_more_page_with_pictures_trends_and_thresholds(tmp_path) -> None:  # noqa: ANN001
    before, after, refs = _two_sessions()
    page = _page(before, after, refs)
    assert len(page.steps) == 1 and page.steps[0].frames.aligned
    steps = [PdfStep("Standing, side-on", dict(after.ref.steps["standing_side"]), [],
                     key="standing_side")]
    plain = session_pdf("P-7", steps)
    with_page = session_pdf("P-7", steps, comparison=page)
    assert page_count(with_page) == page_count(plain) + 1
    rgb = render_page(with_page, 2, tmp_path, "comparison-page-unit.png", dpi=60)

    def share(colour: tuple[int, int, int], tol: int = 60) -> float:
        return float((np.abs(rgb - np.array(colour)).sum(axis=2) < tol).mean())

    assert share(RED, 90) > 0  # the ankles' dots of the two pictures
    assert share(PLUMB_COLOUR) > 0  # the plumb lines
    assert share((179, 107, 0)) > 0  # the trends' dashed thresholds
    assert share((40, 110, 60)) > 0  # a "not seen" session's dot


def test_comparison_page_without_common_pictures_still_renders() -> None:
    before, after, refs = _two_sessions()
    bare = ComparisonPage("no. 1", "no. 2", [], compare_verdicts(before.ref.steps,
                                                                  after.ref.steps), [])
    pdf = session_pdf("P-7", [], comparison=bare)
    assert pdf.startswith(b"%PDF-") and page_count(pdf) == 2


# --- stored sessions (the app's side, without a browser) -------------------------------------


def _png(image: Image.Image) -> bytes:
    import io

    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def test_stored_sessions_align_and_an_old_one_without_landmarks_says_so(tmp_path) -> None:  # noqa: ANN001
    from store import SessionStore
    from ui.compare import comparison_page, distinct_sessions, pick_sessions, session_side

    store = SessionStore(tmp_path / "s.sqlite3")
    a_img, a_pose = _figure((200, 300), 60, 280, 150)
    b_img, b_pose = _figure((300, 400), 200, 380, 120)
    steps_a = {"standing_side": {"summary": {"view": "side_left"}, "findings": [
        _finding("hollow_back", "detected", 11.7, 5.0)]}}
    steps_b = {"standing_side": {"summary": {"view": "side_left"}, "findings": [
        _finding("hollow_back", "not_detected", 1.5, 5.0)]}}
    old = store.save_session("P-1", steps_a, media={"standing_side": {
        "key_frame_1.png": _png(b_img), "key_frame_0.png": _png(a_img)}})
    first = store.save_session("P-1", steps_a, media={"standing_side": {
        "key_frame_0.png": _png(a_img)}}, annotations={"standing_side": {KEY_FRAME_KIND: a_pose}})
    second = store.save_session("P-1", steps_b, media={"standing_side": {
        "key_frame_0.png": _png(b_img)}}, annotations={"standing_side": {KEY_FRAME_KIND: b_pose}})
    records = {r.id: r for r in store.list_sessions("P-1")}
    # The session report compares with the previous distinct session (the twin is skipped).
    before, now = pick_sessions(store, second, "k")
    assert (before.id, now.id) == (first, second)
    assert [r.id for r in distinct_sessions(list(records.values()))] == [old, second]

    aligned = compare_key_frames(session_side(records[first]), session_side(records[second]))
    assert aligned[0].frames.aligned and aligned[0].plumb == "plumb line through the ankle"
    # The old session has no landmarks: scaled to one height, and the note names it.
    unaligned = compare_key_frames(session_side(records[old]), session_side(records[second]))
    frames = unaligned[0].frames
    assert not frames.aligned and frames.note.startswith("Not aligned")
    assert "the session of" in frames.note
    # Its first key frame is key_frame_0, whatever order the files were saved in.
    assert frames.images[0].size[0] == round(200 * frames.images[0].size[1] / 300)

    page = comparison_page(session_side(records[first]), session_side(records[second]),
                           list(records.values()))
    assert page.before_label.startswith(f"no. {first}, ")
    [trend] = page.trends
    assert [p.session_id for p in trend.points] == [old, second]  # the twin counted once
    assert [c.changed for c in page.changes if c.check_id == "hollow_back"] == [True]


def test_a_full_comparison_of_three_steps_and_eight_trends_stays_one_page() -> None:
    checks = [("hollow_back", "deg", 5.0), ("knee_hyperextension", "deg", -5.0),
              ("bent_knee", "deg", 10.0), ("weight_shift", "%", 59.0),
              ("reduced_trunk_pelvis_motion", "%", 15.0)]
    steps = ("standing_side", "standing_front", "walking_side")

    def session(sid: int, day: int, shift: float) -> SessionSide:
        image, pose = _figure((200, 300), 60 + sid, 280, 150)
        reports = {k: {"summary": {"view": "front" if k == "standing_front" else "side_left"},
                       "findings": [_finding(c, "detected", cut + shift, cut, unit)
                                    for c, unit, cut in checks]} for k in steps}
        ref = SessionRef(sid, f"2026-11-{day:02d}T10:00:00", reports)
        return SessionSide(ref, {k: np.asarray(image) for k in steps},
                           {k: {KEY_FRAME_KIND: pose} for k in steps})

    sides = [session(i, 1 + 3 * i, float(i)) for i in range(1, 6)]
    all_trends = trends([s.ref for s in sides])
    assert len(all_trends) == 15  # five checks in three steps
    page = ComparisonPage("no. 4", "no. 5", compare_key_frames(sides[3], sides[4], 300, True),
                          compare_verdicts(sides[3].ref.steps, sides[4].ref.steps), all_trends)
    assert len(page.steps) == 3
    steps = [PdfStep("Standing, side-on", dict(sides[4].ref.steps["standing_side"]), [],
                     key="standing_side")]
    plain = session_pdf("P-7", steps)
    assert page_count(session_pdf("P-7", steps, comparison=page)) == page_count(plain) + 1


def test_a_visit_filmed_from_the_other_side_is_mirrored_to_face_the_same_way() -> None:
    a, pa = _figure((200, 300), 60, 280, 150)
    b, pb = _figure((200, 300), 150, 280, 150)
    # Mark the front of the second body (its toes point image-right: filmed from the right).
    ImageDraw.Draw(b).ellipse([170, 270, 178, 278], fill=(0, 0, 255))
    result = align_key_frames([a, b], [key_frame_pose(pa), key_frame_pose(pb)],
                              ["side_left", "side_right"], height_px=300)
    assert result.aligned and "mirrored" in result.note
    red = [_centroid(im, RED) for im in result.images]
    assert red[0] == pytest.approx(red[1], abs=1.5)
    toe_x, _ = _centroid(result.images[1], (0, 0, 255))
    assert toe_x < red[1][0]  # the toes now point image-left, like the first visit's
    same = align_key_frames([a, b], [key_frame_pose(pa), key_frame_pose(pb)],
                            ["side_left", "side_left"], height_px=300)
    assert "mirrored" not in same.note
