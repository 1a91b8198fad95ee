"""posture.subject: one main person when MediaPipe's tracking jumps between people."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_landmarks import (
    build,
    figure,
    media_info,
    replace_frames,
    shifted,
    standing,
    walking,
    without_person,
)

from posture.config import QualityConfig
from posture.landmarks import LEFT_ANKLE, LEFT_HIP, LEFT_SHOULDER, RIGHT_ANKLE, RIGHT_HIP
from posture.pipeline import analyse_poses
from posture.subject import (
    SampleTimes,
    Sighting,
    SubjectPlan,
    Track,
    choose_subject,
    link_tracks,
    select_subject,
    sightings_in_frame,
)


def _select(pose):
    return select_subject(pose.xy_px, QualityConfig())


def _expected_keep(n: int, other_frames) -> np.ndarray:
    keep = np.ones(n, dtype=bool)
    keep[list(other_frames)] = False
    return keep


def test_one_person_throughout_keeps_every_frame():
    selection = _select(standing(noise_px=2.0))
    assert selection.keep.all()
    assert selection.n_tracks == 1 and selection.dropped_frames == 0
    assert selection.method == "One person was tracked throughout."


@pytest.mark.parametrize("other_frames", [range(25, 36), range(0, 14), range(48, 60)])
def test_frames_of_another_person_are_dropped(other_frames):
    main = standing(view="side_left")
    bystander = shifted(standing(view="front"), dx_px=450.0)
    pose = replace_frames(main, bystander, other_frames)
    selection = _select(pose)
    np.testing.assert_array_equal(selection.keep, _expected_keep(len(pose), other_frames))
    assert selection.dropped_frames == len(other_frames)
    assert f"{len(other_frames)} frame(s) showing someone else" in selection.method


def test_a_smaller_person_in_the_same_place_is_someone_else():
    # A child or someone far behind: the hips are near, the body is much shorter.
    main = standing(view="side_left")
    other = standing(view="side_left", body_height_px=300.0)
    other = shifted(other, dx_px=0.0, dy_px=-60.0)
    pose = replace_frames(main, other, range(30, 45))
    np.testing.assert_array_equal(_select(pose).keep, _expected_keep(len(pose), range(30, 45)))


def test_tracking_returns_after_frames_without_anyone():
    pose = without_person(standing(view="side_right"), frames=range(30, 50))
    selection = _select(pose)
    np.testing.assert_array_equal(selection.keep, _expected_keep(len(pose), range(30, 50)))
    assert selection.dropped_frames == 0


def test_nobody_found():
    selection = _select(without_person(standing()))
    assert not selection.keep.any()
    assert selection.n_tracks == 0
    assert selection.method == "No person was found."


def test_walker_keeps_moving_frames_and_loses_the_jump():
    fig = figure(view="side_left", activity="walking")
    main = build(fig)
    bystander = shifted(standing(view="front", duration_s=fig.duration_s), dx_px=-400.0)
    other = range(60, 70)
    pose = replace_frames(main, bystander, other)
    analysis = analyse_poses(pose, media_info(pose))
    np.testing.assert_array_equal(analysis.subject.keep, _expected_keep(len(pose), other))
    summary = analysis.report.summary
    assert summary["frames_of_subject"] == len(pose) - len(other)
    assert "someone else" in summary["subject_selection"]
    # The walk is still recognised, and the dropped frames carry no measurement.
    assert summary["activity"] == "walking" and summary["view"] == "side_left"
    assert np.isnan(analysis.series["knee_flexion_left_deg"][62:68]).all()


def test_dropped_frames_do_not_move_the_verdict():
    main = standing(view="side_right", knee_flexion_left_deg=-12.0, knee_flexion_right_deg=-12.0)
    other = shifted(standing(view="side_right", knee_flexion_left_deg=25.0,
                             knee_flexion_right_deg=25.0), dx_px=420.0)
    pose = replace_frames(main, other, range(20, 35))  # a quarter of the clip
    report = analyse_poses(pose, media_info(pose)).report
    finding = report.finding("knee_hyperextension")
    assert finding.status == "detected"
    assert finding.value == pytest.approx(-12.0, abs=0.3)
    assert report.finding("bent_knee").status == "not_detected"


# --------------------------------------------------------------------------- scan helpers


def _sighting(t_s: float, x_px: float, height_px: float = 300.0) -> Sighting:
    return Sighting(t_s, (x_px, 400.0), (x_px - 60, 250.0, x_px + 60, 600.0), height_px)


def test_link_tracks_follows_each_person():
    samples = [[_sighting(t, 200 + 150 * t), _sighting(t, 900.0, 200.0)]
               for t in (0.0, 0.5, 1.0, 1.5, 2.0)]
    tracks = link_tracks(samples)
    assert len(tracks) == 2
    xs = sorted([s.centre_px[0] for s in track.sightings] for track in tracks)
    assert xs[0] == [200.0, 275.0, 350.0, 425.0, 500.0]
    assert xs[1] == [900.0] * 5


def test_choose_subject_prefers_the_walker_over_a_bigger_bystander():
    walker = Track([_sighting(t, 100 + 300 * t, 200.0) for t in (0.0, 0.5, 1.0, 1.5, 2.0)])
    bystander = Track([_sighting(t, 1000.0, 400.0) for t in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5)])
    plan = choose_subject([bystander, walker])
    assert plan.track is walker
    assert plan.people_seen == 2
    assert "walking" in plan.method


def test_choose_subject_without_walkers_takes_the_largest_longest():
    small = Track([_sighting(t, 300.0, 150.0) for t in (0.0, 0.5, 1.0)])
    large = Track([_sighting(t, 900.0, 350.0) for t in (0.0, 0.5, 1.0)])
    plan = choose_subject([small, large])
    assert plan.track is large


def test_choose_subject_single_person_or_nobody():
    one = Track([_sighting(t, 300.0) for t in (0.0, 0.5)])
    assert choose_subject([one]).track is None
    assert choose_subject([one]).people_seen == 1
    nobody = choose_subject([])
    assert nobody.track is None and nobody.people_seen == 0


def test_crop_box_contains_the_subject_and_is_none_outside_its_time():
    track = Track([_sighting(t, 200 + 200 * t) for t in (0.0, 0.5, 1.0)])
    plan = SubjectPlan(track, 2, "test")
    x0, y0, x1, y1 = plan.crop_box(0.5, 1280, 720)
    assert x0 <= 300 - 60 and x1 >= 300 + 60 and y0 <= 250 and y1 >= 600
    assert 0 <= x0 < x1 <= 1280 and 0 <= y0 < y1 <= 720
    assert plan.crop_box(5.0, 1280, 720) is None
    assert SubjectPlan(None, 1, "one").crop_box(0.5, 1280, 720) is None


def test_sightings_in_frame_finds_each_person_once():
    image = np.zeros((200, 400, 3), np.uint8)
    image[40:160, 50:90] = 255  # person A
    image[60:150, 250:280] = 255  # person B

    def find_one(img):
        ys, xs = np.nonzero(img[..., 0] == 255)
        if xs.size == 0:
            return None
        # The leftmost white blob, as 33 points spread over its box.
        x_first = xs.min()
        blob = np.abs(xs - x_first) < 60
        x0, x1, y0, y1 = xs[blob].min(), xs[blob].max(), ys[blob].min(), ys[blob].max()
        pts = np.zeros((33, 2))
        pts[:, 0] = np.linspace(x0, x1, 33)
        pts[:, 1] = np.linspace(y0, y1, 33)
        pts[[LEFT_SHOULDER, 12], 1] = y0
        pts[[LEFT_HIP, RIGHT_HIP], 1] = (y0 + y1) / 2
        pts[[LEFT_ANKLE, RIGHT_ANKLE], 1] = y1
        return pts

    found = sightings_in_frame(image, 1.0, find_one, scale=2.0)
    assert len(found) == 2
    centres_x = sorted(s.centre_px[0] for s in found)
    assert 50 * 2 <= centres_x[0] <= 90 * 2 and 250 * 2 <= centres_x[1] <= 280 * 2
    assert all(s.t_s == 1.0 for s in found)


def test_walking_subject_with_a_person_standing_nearby_in_some_frames():
    # Tracking jumps to a bystander only 250 px away: still farther than a person moves
    # between two frames, so those frames go.
    fig = figure(view="side_right", activity="walking")
    pose = replace_frames(build(fig), shifted(walking(view="side_left"), dx_px=250.0),
                          range(30, 40))
    keep = _select(pose).keep
    assert not keep[30:40].any()
    assert keep[:30].all() and keep[40:].all()


# --------------------------------------------------------------------------- scan samples


def _taken(times: SampleTimes, fps: float, seconds: float) -> list[int]:
    return [i for i in range(int(seconds * fps)) if times.take(i / fps)]


def test_samples_on_a_steady_rate_are_every_nth_frame():
    assert _taken(SampleTimes(15 / 30, 30.0, 7.7), 30.0, 7.7) == list(range(0, 231, 15))
    assert _taken(SampleTimes(7 / 60, 60.0, 3.0), 60.0, 3.0) == list(range(0, 180, 7))


def test_samples_follow_time_on_a_variable_rate():
    times = SampleTimes(0.5, 30.0, 3.0)
    stamps = [0.0, 0.2, 0.49, 0.52, 0.9, 1.3, 1.6, 2.6, 2.7]
    assert [t for t in stamps if times.take(t)] == [0.0, 0.52, 1.3, 1.6, 2.6]


def test_a_clip_of_unknown_length_is_sampled_twice_a_second_then_less_often():
    times = SampleTimes(1 / 30, 30.0, None, max_samples=40)
    taken = _taken(times, 30.0, 60.0)
    # 40 samples at 0.5 s (20 s), then 40 at 1 s (40 s): 80 in a minute, not 1800.
    assert len(taken) == 80
    assert np.diff(taken[:40]).tolist() == [15] * 39
    assert np.diff(taken[40:]).tolist() == [30] * 39


def test_a_clip_longer_than_it_says_is_sampled_as_one_of_unknown_length():
    # A header claiming 0.17 s (5 frames) on a 60 s clip: every frame is a sample at first,
    # then no more often than twice a second.
    taken = _taken(SampleTimes(1 / 30, 30.0, 0.166), 30.0, 60.0)
    assert len(taken) < 100
    assert np.diff(taken[20:]).min() >= 15
