"""Every tunable number of the engine, in one place, each documented beside its default.

Sign conventions (used everywhere in the project):

- knee flexion: 0 = straight, flexion positive, hyperextension (knee behind the hip-ankle
  line, "front" taken from heel to toe) negative;
- hip extension: thigh behind the trunk line positive;
- trunk inclination: angle of the hip-midpoint -> shoulder-midpoint line from vertical in the
  side view, backward lean positive (seen from the front: toward the subject's left positive);
- pelvic obliquity: positive when the subject's left hip is higher than the right;
- ``load_share_right_pct``: where the hip midpoint sits between the ankles, 0 over the left
  ankle, 100 over the right ankle (a proxy for the share of body weight on the right leg);
- horizontal offsets (``*_offset_pct``): forward of the ankle positive, in percent of leg length.

Views: ``side_left`` means the camera sees the subject's left side (the left leg is nearer),
``side_right`` the right side, ``front`` the subject faces the camera, ``back`` faces away.

Thresholds marked "suggested" in ``../shared/research/clinical.md`` are judgement calls;
[Rn] keys refer to its reference list. Override any of them with
``Config(hyperextension=HyperextensionThresholds(detect_deg=-7.0))`` or from a JSON file
(``load_config``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class Bands:
    """Severity bands on the magnitude of a value: mild from ``detect``, then moderate, marked."""

    detect: float
    moderate: float
    marked: float

    def severity(self, magnitude: float) -> str:
        """``none``/``mild``/``moderate``/``marked`` for a magnitude on the same scale.

        >>> Bands(5, 10, 15).severity(12.0)
        'moderate'
        """
        if magnitude >= self.marked:
            return "marked"
        if magnitude >= self.moderate:
            return "moderate"
        if magnitude >= self.detect:
            return "mild"
        return "none"


@dataclass(frozen=True)
class PoseConfig:
    # MediaPipe Pose "full" model (complexity 1) is the one the wheel ships; 0 (lite) and 2
    # (heavy) would need a download, which the product never does.
    model_complexity: int = 1
    # MediaPipe's own defaults; below them the person is considered lost.
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    # MediaPipe resizes its input to 256x256 anyway; a long side of 640 px keeps the person
    # detector's accuracy while making decoding and colour conversion several times cheaper.
    inference_max_side_px: int = 640
    # Optional PoseLandmarker .task file (Tasks API); None = the built-in solutions model.
    task_model_path: str | None = None
    # A frame where MediaPipe finds nobody in the whole picture, while the scan saw the one
    # person in view about then, is searched again in a crop around where the scan saw
    # them (frame by frame), up to this long before their first (after their last)
    # sighting; 0 turns the retry off. On dev renders of walkers at a fifth of the picture's
    # height MediaPipe found nobody in the first 0.9-1.2 s of whole frames and everyone in
    # the crops, and those missing seconds cost the gait its first strides (issue 11;
    # docs/accuracy.md). The scan samples twice a second, so 1.5 s reaches back past one or
    # two missed samples.
    retry_in_crop_reach_s: float = 1.5


@dataclass(frozen=True)
class QualityConfig:
    # Landmarks below this visibility do not count for a frame ([R5] drops < 0.1; MediaPipe's
    # drawing utilities hide < 0.5; 0.5 keeps occluded far-side joints out of side views).
    min_visibility: float = 0.5
    # A check needs at least this many good frames (video) to give a verdict.
    min_good_frames: int = 10
    # ... and this share of the analysed frames.
    min_good_fraction: float = 0.3
    # A frame whose hip centre jumps more than this share of the body height from the
    # previous frame belongs to another person (MediaPipe re-detected someone else).
    max_subject_jump_fraction: float = 0.35
    # Nobody in view for longer than this: whoever appears next is taken for someone else
    # (MediaPipe loses a person for a few frames at most; people taking turns at one spot,
    # as in the clip of five people reading at a table, leave the picture for seconds).
    max_rejoin_gap_s: float = 2.0


@dataclass(frozen=True)
class FilterConfig:
    # Zero-lag 4th-order Butterworth (filtfilt) for files; [R5] uses 12 Hz, Sports2D 6 Hz.
    # 6 Hz keeps gait knee curves (content < 6 Hz) and removes landmark jitter.
    cutoff_hz: float = 6.0
    order: int = 4
    # Gaps of at most this many frames are filled by interpolation before filtering ([R5]: 5).
    max_gap_frames: int = 5
    # Live frames: a one-euro style causal smoothing would need more state; an exponential
    # moving average with this time constant is causal and cheap.
    live_time_constant_s: float = 0.15


@dataclass(frozen=True)
class ViewConfig:
    # Side view when the shoulder and hip widths (horizontal, image) are small against the
    # torso height; front/back when large. Between the two the view is "unknown".
    side_max_width_ratio: float = 0.28
    front_min_width_ratio: float = 0.42
    # A wide torso turned more than this from the camera (shoulder line in MediaPipe's world
    # landmarks) is an oblique view, not a front view. Only a coarse label: how far a
    # front view may be turned for its checks is ``CameraConfig.front_max_off_axis_deg``,
    # measured from three cues. Seen here: square-on clips 2-7 deg, renders turned 20 deg
    # 23-27, the 15-20 deg oblique squat clip 35 deg.
    front_max_yaw_deg: float = 40.0
    # Walking when the hip centre travels more than this many leg lengths per second.
    walking_min_speed_leg_per_s: float = 0.25
    # Shorter recordings are called standing: one step takes about half a second.
    walking_min_duration_s: float = 0.8
    # Standing frames for quiet-stance checks: hip-centre speed below this (leg lengths/s).
    still_max_speed_leg_per_s: float = 0.15


@dataclass(frozen=True)
class CameraConfig:
    """Camera roll and off-axis angle (``posture.camera``)."""

    # The floor contacts of a walk must span this many leg lengths for a line through them.
    floor_min_spread_leg: float = 1.0
    # A floor line leaning more than this is not a tilted phone (a slope, stairs, or feet
    # that are not level): angles are then not corrected (project choice; the phones
    # lean up to 5 deg).
    max_roll_deg: float = 8.0
    # Error left in angles from vertical after the roll correction, by how roll was measured
    # (enters the confidence of the hollow-back and weight-shift checks). Measured on the
    # renders of the dev split (tests/data/synthetic, level cameras): the floor line of a
    # walk within 0.6 deg, the body's left-right pairs facing the camera within 1.6 deg
    # (one pair alone, e.g. the heels, up to 6.5). Unmeasured: a phone on a shelf is within
    # about 5 deg of level.
    roll_floor_uncertainty_deg: float = 1.0
    roll_pairs_uncertainty_deg: float = 2.0
    roll_unmeasured_uncertainty_deg: float = 5.0
    # Shoulder and hip landmark spread against torso height (shoulder centre to hip centre)
    # seen square-on: MediaPipe on front views gives 0.47-0.56 on the renders of the dev split
    # (tests/data/synthetic), and on real clips about 0.5 (the balancing
    # man 0.51 at p90, people from behind 0.57; adult anthropometry: biacromial ~0.38 m,
    # MediaPipe hips ~0.25 m apart, torso ~0.5 m). A side view turned by ``a`` spreads them
    # by this width times sin(a): fitted on the side stills of the dev renders (tests/data/dev
    # and 32 more rendered 0-35 deg off axis, seed 20250799): 0.53 turned toward the chest,
    # 0.40 toward the back (from behind MediaPipe draws the far shoulder and hip closer to
    # the near ones: with one width for both, views 20 deg toward the back read 12).
    side_width_to_torso: float = 0.53
    side_back_width_to_torso: float = 0.40
    # Knees and ankles of a person standing side-on, feet side by side, spread by this much
    # of the torso height times sin(a) (same renders: 0.43 knees, 0.48 ankles).
    side_leg_spread_to_torso: float = 0.46
    # How far the off-axis estimate itself is off, one standard deviation (same renders:
    # side stills rms 2-5 deg by angle, worst 8-8.5 at 10 and 25 deg; front views within
    # about 5; docs/accuracy.md, "Off-axis estimate").
    side_off_axis_error_deg: float = 4.0
    front_off_axis_error_deg: float = 5.0
    # A heel more than this share of leg length above its own floor contact is lifted (the
    # foot then no longer shows where the body faces).
    lifted_foot_leg: float = 0.05
    # Foot length (heel to toe landmark) against leg length (hip-knee-ankle): ~0.26 / 0.9 m.
    foot_to_leg: float = 0.28
    # The nose sits in front of the shoulder line: a body turned by ``a`` from a front view
    # shows it off the shoulders' centre by about this many shoulder widths times tan(a)
    # (dev split renders: 0.12-0.26 at 10-30 deg; a head 0.1 m ahead of 0.38 m shoulders
    # would give 0.26, real heads hang forward less).
    nose_per_tan: float = 0.55
    # Beyond these off-axis angles the view is too oblique for its checks (project choice;
    # the per-angle results of the validation split are in docs/accuracy.md). Side view:
    # the far side leaks into sagittal angles by sin(a) of a frontal offset of a few cm,
    # about 1-2 deg at 25 deg (and the view stops being called "side" near 30). Front
    # view: the load share is a ratio of widths that a turn shrinks alike, but the hips sit
    # a few cm ahead of the ankles, which a turn shifts sideways by tan(a) (about 9 points
    # of load share at 30 deg, carried in its error).
    side_max_off_axis_deg: float = 25.0
    front_max_off_axis_deg: float = 30.0


@dataclass(frozen=True)
class UncertaintyConfig:
    """What a verdict must clear to be called "detected" rather than "uncertain".

    Each check adds up (root of the sum of squares) the measurement's own error and the
    systematic errors of this recording (camera roll that could not be measured, an oblique
    camera, the far leg), in the value's unit. The confidence is the chance that the true
    value lies on the reported side of the threshold, Phi(margin / error), times the share
    of usable frames; a finding past its threshold with less confidence than
    ``min_confidence_detected`` is "uncertain". Errors from docs/accuracy.md (renders of
    the dev split) and clinical.md §6; project choice where marked.
    """

    # Knee flexion, near leg: standing stills +-2 deg, stance-phase summaries of a walk +-2-3.
    knee_standing_sd_deg: float = 2.0
    knee_walking_sd_deg: float = 3.0
    # The far leg is half hidden behind the near one: 4.6 vs 3.4 deg per frame on renders.
    far_leg_extra_sd_deg: float = 2.5
    # Trunk inclination, side view, level camera: within about 1 deg on renders; 1.5 for
    # real clothes.
    trunk_sd_deg: float = 1.5
    # Load share, front view, level camera: about 2 points on renders; 3 for real feet.
    load_share_sd_pct: float = 3.0
    # An oblique camera: extra error per degree off axis (project choice: 20 deg off axis
    # adds 2 deg, about what the renders of the dev split show).
    off_axis_sd_per_deg: float = 0.1
    # Load share, a camera turned by ``a`` from the front: the hip centre sits 3-5 cm ahead
    # of the ankles (balanced standing), against 20-30 cm between the feet, so the turn
    # moves it sideways by about 16 points * tan(a) (geometry; 9 points at 30 deg).
    load_share_sd_per_tan_off_axis: float = 16.0
    # Arm swing per stride, % of leg length.
    arm_swing_sd_pct: float = 5.0
    # Clothing at the knees, as the clinician states it (``Config.clothing_at_knees``):
    # MediaPipe places the knee by the outline it sees, and fabric standing off the leg
    # moves that outline. Geometry (project choice): cloth 1 cm off the knee on a 45 cm
    # thigh or shank turns the segment by about 1.3 deg, loose cloth 2-3 cm by about
    # 2.5-4 deg (clinical.md §6 [R44] asks for close-fitting clothing for this reason).
    # Shorts, close-fitting leggings or a clothing not stated add nothing.
    long_trousers_knee_sd_deg: float = 1.5
    loose_trousers_knee_sd_deg: float = 3.0
    # Below this confidence a finding past its threshold is "uncertain" (project choice:
    # about two chances in three that the true value is past the threshold).
    min_confidence_detected: float = 0.7


@dataclass(frozen=True)
class KneeInGaitConfig:
    # Knee checks in walking judge each stance phase over its single-support part (the other
    # foot's toe-off to its heel strike: mid to terminal stance, clinical.md "Gait phases").
    # A finding needs at least this many such stance phases per side (clinical.md §2:
    # consistent over >= 3 strides); with fewer, a reading past the threshold is only
    # "uncertain".
    min_stances_per_side: int = 3
    # ... and knees that stay well inside the normal range may be cleared from this many
    # (a clip of two strides per side still shows a normal gait as normal).
    min_stances_to_clear: int = 2
    # Where the other foot's events are missing, single support is taken as this part of
    # the stance phase (Perry: opposite toe-off at ~10 %, opposite heel strike at ~50 % of a
    # 60 % stance, i.e. 17-83 % of stance).
    single_support_from_share: float = 0.17
    single_support_to_share: float = 0.83


@dataclass(frozen=True)
class HyperextensionThresholds:
    # Knee flexion at or below this is hyperextension: recurvatum = extension > 5 deg [R21];
    # bands 5-10 mild, 10-15 moderate, >15 marked are "suggested" in clinical.md §2.
    bands: Bands = field(default_factory=lambda: Bands(5.0, 10.0, 15.0))


@dataclass(frozen=True)
class BentKneeThresholds:
    # Standing flexion / gait peak stance extension above 10 deg counts; 15 deg raised the
    # energy cost of walking [R27], 19 deg mid-stance defines flexed-knee gait [R26].
    # clinical.md §3 "suggested": 5-10 mild, 10-20 moderate, >20 severe. We start at 10 so
    # that MediaPipe's 5-7 deg error [R40][R42] does not call normal knees bent.
    bands: Bands = field(default_factory=lambda: Bands(10.0, 15.0, 20.0))


@dataclass(frozen=True)
class HollowBackThresholds:
    # Backward trunk inclination from vertical (deg). No published video cut-off exists;
    # clinical.md §1 maps 2/5/8 cm shoulder-behind-hip offsets (over ~50 cm of trunk) to
    # about 2/6/9 deg. Project choice: 5 mild, 8 moderate, 12 marked.
    bands: Bands = field(default_factory=lambda: Bands(5.0, 8.0, 12.0))
    # Sway-back needs the pelvis forward of the ankle as well ([R12][R13], clinical.md §1a).
    # A hip centre more than this share of leg length behind the ankle contradicts it.
    min_hip_forward_offset_pct: float = -2.0


@dataclass(frozen=True)
class WeightShiftThresholds:
    # Load share on the heavier leg (percent). Clinical cut-off <41% / >59% body weight [R34];
    # suggested bands 55-59 mild, 59-67 moderate, >67 marked (clinical.md §4). We detect from
    # 59 % so that the 5 % minimal detectable change [R34] keeps even stances out.
    bands: Bands = field(default_factory=lambda: Bands(59.0, 63.0, 67.0))
    # Supporting evidence only: pelvic obliquity of 3 deg (clinical.md §4, project choice).
    supporting_obliquity_deg: float = 3.0
    # An ankle this far above its own floor contact (% of leg length) is a lifted foot: the
    # other leg carries all the weight in that frame (project choice; ankle jitter ~2-3 %).
    lifted_foot_pct: float = 8.0
    # Both feet down yet one drawn this much higher than the other (% of leg length): one
    # foot stands in front of the other (a camera 1 m high and 3 m away draws a foot set
    # 10 cm back about 4 % higher), which a front view cannot judge. Project choice.
    stagger_max_pct: float = 6.0
    # Walking side-on (a reliable gait): one-sided loading shows as a limp, the painful
    # leg's stance shorter than the sound one's (clinical.md "Gait phases and the checks").
    # Value: Robinson's symmetry index of the stance share, |SI| = 100 |L - R| / (0.5 (L +
    # R)). Detected from 10 %: the general 10 % criterion of pathological gait asymmetry
    # (Hodt-Billington et al. 2012, Physiother Theory Pract 28:134-141: it classified no
    # able-bodied walker as asymmetric), in line with the normative temporal symmetry
    # ratio of 0.9-1.1 (95 % CI of 24 healthy adults; Patterson et al. 2008, Arch Phys Med
    # Rehabil 89:304-310). Moderate from 20 %, marked from 30 % (project choice).
    walking_bands: Bands = field(default_factory=lambda: Bands(10.0, 20.0, 30.0))
    # The step-time symmetry index past this (same 10 % criterion) supports a limp; on its
    # own, with even stance shares, it makes the verdict "uncertain" at most.
    walking_step_time_si_pct: float = 10.0
    # Strides per side a walking verdict needs (fewer: not assessable).
    walking_min_strides: int = 3
    # Timing error of one gait event (s): step timing from 2D video within 0.02 s of marker
    # systems [R40] (clinical.md §6); never less than half a frame.
    event_sd_s: float = 0.02


@dataclass(frozen=True)
class GaitMotionThresholds:
    # Too little pelvis and trunk movement in gait, seen from the side. Trunk rotation ~9 deg
    # [R36] and pelvis ~4-5 deg [R37] are too small for one side camera to measure; arm
    # swing, which trunk counter-rotation drives, is visible. Per-stride range of the near
    # wrist ahead of / behind the shoulder, % of leg length. Project choice: 15 % (renders:
    # normal gait ~45 %, stiff gait ~4 %).
    min_arm_swing_pct: float = 15.0


@dataclass(frozen=True)
class GaitConfig:
    # Consecutive heel strikes (either foot) at least this far apart (s): cadence < 240/min.
    min_event_interval_s: float = 0.25
    # Peak prominence in leg lengths for Zeni's foot-minus-pelvis curves [R50].
    min_prominence_leg: float = 0.1
    # Stride-based verdicts (knee in stance, trunk and pelvis motion) need this many strides.
    min_strides: int = 2
    # The feet pass each other once a step: the distance between them falls from its peak
    # (about a step length) to about nothing. A dip that stays above this share of the
    # smaller neighbouring peak is not a passing (project choice; the real clips reach
    # at most 0.18 at a passing).
    max_passing_share: float = 0.5
    # ... and every step parts the feet by at least this share of the run's median step (a
    # dip where MediaPipe puts both feet in one place for a frame or two makes a small
    # bump, not a step; project choice, first steps are ~70 % of a full one).
    min_step_share: float = 0.5
    # A heel strike (toe-off) needs the foot to have swung forward to it (been carried back
    # to it), relative to the pelvis, by at least this share of the clip's median travel:
    # one that hardly moved is a smear of MediaPipe swapping the legs, not a step. The
    # travel, not how far ahead of the pelvis the heel lands: that differs between the feet
    # of a limp and drifts as the walker crosses the view (issue 11: on both dev limps one
    # foot landed from 0.26 down to 0.04 leg lengths ahead over the clip, the other about
    # 0.2, and half the median landing dropped its strikes). Measured travel: 0.63-1.43 leg
    # lengths, never under 0.74 of its clip's median, on the 5 fixture, 5 dev, 4 extra
    # dev-limp (not committed) and 3 real walks/runs (project choice; docs/accuracy.md).
    min_travel_share: float = 0.5
    # Which of the two alternating feet is the left one: what MediaPipe's labels say when
    # they agree this much (-1..1, frames weighted by how far apart the feet are; 0.5 is
    # three frames in four), else what the floor says, if its steps agree as much: a
    # camera above the floor draws the foot nearer to it lower. A standing foot counts
    # when it is drawn at least this much (leg lengths) lower or higher than the
    # neighbouring steps' (real clips: near foot 2-7 % lower; jitter after filtering
    # ~0.5 %). Project choices.
    min_label_agreement: float = 0.5
    floor_min_drop_leg: float = 0.01
    # Gaps in the feet up to this long (s) are bridged when following the steps (5 frames
    # at 30 fps, like ``FilterConfig.max_gap_frames``).
    max_gap_s: float = 0.17
    # Walking or running: the pelvis is highest in mid-stance when walking (the body vaults
    # over the standing leg) and lowest when running (it lands on a spring). Mid-stance
    # minus double-support pelvis height, in leg lengths, must be at least this large to
    # tell them apart; below it the cadence decides (real clips: walkers -0.02 to -0.06,
    # the treadmill runner +0.09 to +0.14).
    min_pelvis_bob_leg: float = 0.01
    # Running: the toe has left the floor when it is this far (leg lengths) above where it
    # rested in late stance (project choice: ~2.5 cm for a 0.9 m leg; MediaPipe jitters
    # ~1 cm). Walking toe-off stays Zeni's trough of the toe [R50].
    running_toe_lift_leg: float = 0.03
    # Plausibility of the timing: outside these limits the gait is reported unreliable and
    # nothing is judged from it. Normal adult walking (Perry's phases, clinical.md "Gait
    # phases and the checks"): stance ~60 % of the stride (55-70 % across speeds), two
    # double-support periods of ~10 % each, the other foot's heel strike at ~50 %, cadence
    # ~100-120 steps/min. The limits are wider than normal so slow, limping or stiff gaits
    # pass; what they exclude cannot be walking (e.g. stance < 50 % means both feet off the
    # ground at once, i.e. running).
    walking_min_cadence_steps_per_min: float = 60.0
    walking_max_cadence_steps_per_min: float = 140.0
    walking_min_stance_pct: float = 50.0
    walking_max_stance_pct: float = 80.0
    # Each double-support period (heel strike to the other foot's toe-off), % of the stride:
    # ~10 % (Perry); none at all is a flight phase, i.e. running.
    walking_min_double_support_pct: float = 0.0
    walking_max_double_support_pct: float = 30.0
    # Running has a flight phase, so stance < 50 % of the stride (duty factor of
    # recreational runners 25-48 %, the literature band in ../shared/media/reference for
    # the treadmill runner; sprinters ~20 %); cadence 140-200 steps/min (project limits;
    # that runner: 169).
    running_min_cadence_steps_per_min: float = 140.0
    running_max_cadence_steps_per_min: float = 200.0
    running_min_stance_pct: float = 20.0
    running_max_stance_pct: float = 50.0
    # The other foot's heel strike falls at ~50 % of the stride (Perry); a limp shortens the
    # step of the painful side, but not beyond these limits (project choice).
    min_opposite_heel_strike_pct: float = 35.0
    max_opposite_heel_strike_pct: float = 65.0


@dataclass(frozen=True)
class SpeedConfig:
    """How frames reach MediaPipe; none of these change what is measured (bench/README.md)."""

    # Frames are decoded this large when the pose pass follows one subject in a crop, so
    # the crop still holds enough pixels for MediaPipe.
    crop_decode_max_side_px: int = 1280
    # A clip whose frames at the inference size fit in this many bytes is decoded once: the
    # subject scan samples the frames as they arrive and the pose pass reuses them. Longer
    # clips are decoded again, so memory does not grow with length (128 MB: about 6 s of
    # 30 fps video at 640x360).
    decode_once_max_bytes: int = 128 * 1024 * 1024
    # Quiet standing, and only that, is analysed at ``Config.standing_analysis_fps``: the
    # scan must have seen the subject for at least this long, in at least this share of its
    # samples, with the hip centre never further than this share of their height from where
    # it usually is, and their size steady (nobody walking toward the camera).
    quiet_min_duration_s: float = 5.0
    quiet_min_sample_share: float = 0.8
    quiet_max_hip_shift_heights: float = 0.06
    quiet_max_size_change: float = 0.1
    # After a reduced-rate pass the analysis must agree (standing, this share of the
    # subject's frames still); otherwise every frame is analysed after all.
    quiet_min_still_share: float = 0.8
    # When an annotated video is wanted, the decoder that feeds the pose pass also keeps
    # small copies of the frames (800 px, YUV 4:2:0: about 0.5 MB each) while they fit in
    # this many bytes, so the video is drawn without decoding the clip again (256 MB: about
    # 15 s at 30 frames/s). Longer clips are decoded again; 0 always decodes again.
    display_copies_max_bytes: int = 256 * 1024 * 1024


@dataclass(frozen=True)
class ParallelConfig:
    """The pose pass of a video file on several cores: the clip is cut into stretches, each
    analysed by its own MediaPipe graph in a worker process, and the stretches are joined
    (``posture.parallel``). None of these change what is measured beyond the tolerance
    stated in bench/README.md; photos, camera frames and short clips use one graph."""

    # False: always one graph, in the analysing process.
    enabled: bool = True
    # At most this many worker processes (one graph each); never more than the cores this
    # process may run on (``os.sched_getaffinity``). MediaPipe's graph uses about one core.
    max_workers: int = 2
    # Each stretch after the first starts this many analysed frames early and drops them:
    # MediaPipe's tracker and its landmark and visibility filters settle in that time, so
    # the joined pass matches one pass over the whole clip (measured on the real clips:
    # bench/README.md, "Accuracy").
    overlap_frames: int = 30
    # The seam is checked over the last this many overlap frames: both graphs must find a
    # person (or both none) with the median landmark within this share of the frame's long
    # side of the other's (1%: 6 px at 640 px). Otherwise the first graph goes on through
    # the next stretch, as one pass would (it found someone else, or had not settled).
    seam_check_frames: int = 10
    seam_max_offset_share: float = 0.01
    # Clips with fewer analysed frames than this use one graph: a second graph costs its
    # set-up, the overlap and about 1.5 CPU s, which a short clip does not win back
    # (measured whole-process on the real clips, bench/README.md: 100-230 frames ran
    # 0.81-1.01x the plain loop split and 0.84-1.05x in one graph; 360 frames 1.14x and
    # 1394 frames 1.55x split), and one graph gives exactly the single-pass values.
    min_frames: int = 300
    # How worker processes start. "forkserver": forked from a server that has already
    # imported MediaPipe (``python -m posture`` starts it first thing, while the rest of
    # the engine is imported), so a worker is ready in milliseconds. "spawn" works too but
    # imports MediaPipe in every worker (about 0.5 s each). Not "fork": MediaPipe aborts in
    # a child forked from a process that has used it (measured: SIGABRT at the first frame).
    start_method: str = "forkserver"


@dataclass(frozen=True)
class FarSubjectConfig:
    """Finding a person who is small in the picture (far from the camera, or a low-resolution
    recording). MediaPipe's person detector sees the whole frame shrunk to 224 px, and
    misses people whose shoulder-to-ankle length is under about 0.15 of the frame's long side
    (measured here: a walker shrunk onto a 640x480 canvas is found in 7 of 8 frames at 0.157,
    in none at 0.134). When the subject scan finds nobody, finds the subject seldom or finds
    them small, it searches its samples again in overlapping tiles, which MediaPipe scales
    up to its networks' size, and the pose pass follows the person in a crop around them
    (``subject.tiled_search_reason``). Clips whose subject is found at once never pay for it.
    """

    # False: never search in tiles (the scan and the pose pass see whole frames only).
    enabled: bool = True
    # A subject whose median shoulder-to-ankle length is under this share of the frame's
    # long side is small: searched for in tiles and followed in a crop, since the pose pass
    # over whole frames loses them (the dev split's far walker: 0.145, followed in 10 of 120
    # frames). Every other clip here measures 0.17 or more (the outdoor walk 0.17, the
    # synthetic and validation walkers 0.175 to 0.27) but one validation walker at 0.149,
    # followed either way.
    small_height_share: float = 0.16
    # The subject is seen seldom when found in under this share of all samples, or in
    # under ``min_seen_share_in_view`` of the samples from their first sighting to their last
    # (detections that come and go; the outdoor walk: 0.44 and 0.88). They are then looked
    # for in tiles too, but followed in a crop only when small: MediaPipe's tracker holds a
    # larger person once found (a synthetic walker at 0.185 seen in 1 of 11 samples was
    # followed in 161 of 165 frames).
    min_seen_share: float = 0.3
    min_seen_share_in_view: float = 0.6
    # The tiles: squares this share of the frame's long side, as many as cover the frame
    # with neighbours overlapping by at least ``tile_overlap`` of a tile, so anyone up to
    # that share of a tile tall lies whole in one of them (0.4 and 0.5: 12 tiles of 256 px
    # in a 640x480 frame, 8 in a 16:9 one). Measured with the sample photo's man pasted
    # small on a plain canvas, head to foot: 100 px in 640x480 and 180 px in 1280x720 (0.14
    # of the long side) found in these tiles, 150 px in 1280x720 (0.12) not, nor the 180 px
    # man in tiles of half the long side; the whole frame missed all of them.
    tile_side_share: float = 0.4
    tile_overlap: float = 0.5
    # Each tile is searched for up to this many people (each one found costs one more
    # MediaPipe call, to look again with them painted over).
    tile_max_people: int = 2
    # Frames whose tiles would be smaller than this (pixels, short side) are not tiled: too
    # few pixels for anyone in them to be found anyway.
    min_tile_side_px: int = 96
    # Two sightings in one sample are the same person when their hip centres are closer
    # than this many shoulder-to-ankle lengths (overlapping tiles see people twice).
    same_person_heights: float = 0.5


@dataclass(frozen=True)
class Config:
    """All parameters. ``Config()`` is the documented default."""

    pose: PoseConfig = field(default_factory=PoseConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    filter: FilterConfig = field(default_factory=FilterConfig)
    view: ViewConfig = field(default_factory=ViewConfig)
    camera: CameraConfig = field(default_factory=CameraConfig)
    uncertainty: UncertaintyConfig = field(default_factory=UncertaintyConfig)
    knee_in_gait: KneeInGaitConfig = field(default_factory=KneeInGaitConfig)
    gait: GaitConfig = field(default_factory=GaitConfig)
    knee_hyperextension: HyperextensionThresholds = field(
        default_factory=HyperextensionThresholds
    )
    bent_knee: BentKneeThresholds = field(default_factory=BentKneeThresholds)
    hollow_back: HollowBackThresholds = field(default_factory=HollowBackThresholds)
    weight_shift: WeightShiftThresholds = field(default_factory=WeightShiftThresholds)
    reduced_trunk_pelvis_motion: GaitMotionThresholds = field(
        default_factory=GaitMotionThresholds
    )
    speed: SpeedConfig = field(default_factory=SpeedConfig)
    parallel: ParallelConfig = field(default_factory=ParallelConfig)
    far_subject: FarSubjectConfig = field(default_factory=FarSubjectConfig)
    # Long videos are analysed up to this length; the report says so.
    max_duration_s: float = 600.0
    # Standing clips: analyse at most this many frames per second (quiet stance changes slowly).
    standing_analysis_fps: float = 10.0
    # The person's height in metres, when known: step lengths are then also given in
    # metres (leg = 0.491 x height, Winter's proportions); None: leg lengths only.
    subject_height_m: float | None = None
    # What the person wears on their legs, when the clinician says: "shorts" (or close-fitting
    # leggings), "long_trousers", "loose_trousers" (or a skirt), or "not_stated". Long and
    # loose trousers widen the knee angles' error (``UncertaintyConfig``), so a knee finding
    # near its threshold becomes "uncertain" rather than "detected".
    clothing_at_knees: str = "not_stated"

    def __post_init__(self) -> None:
        if self.clothing_at_knees not in CLOTHING_AT_KNEES:
            raise InputError(
                f"Unknown clothing '{self.clothing_at_knees}': use one of "
                f"{', '.join(CLOTHING_AT_KNEES)}.")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Values of ``Config.clothing_at_knees``, with the plain words the report uses.
CLOTHING_AT_KNEES = {
    "not_stated": "not stated",
    "shorts": "shorts or close-fitting leggings",
    "long_trousers": "long trousers",
    "loose_trousers": "loose trousers or a skirt",
}


def clothing_knee_sd_deg(config: Config) -> float:
    """The extra error (deg) the stated clothing adds to knee angles.

    >>> clothing_knee_sd_deg(Config(clothing_at_knees="loose_trousers"))
    3.0
    >>> clothing_knee_sd_deg(Config())
    0.0
    """
    settings = config.uncertainty
    return {"long_trousers": settings.long_trousers_knee_sd_deg,
            "loose_trousers": settings.loose_trousers_knee_sd_deg}.get(
        config.clothing_at_knees, 0.0)


def _merge(obj: Any, overrides: dict[str, Any], where: str) -> Any:
    known = {f.name: f for f in fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in known:
            raise InputError(f"Unknown setting '{where}{key}' in the configuration file.")
        current = getattr(obj, key)
        if is_dataclass(current):
            if not isinstance(value, dict):
                raise InputError(f"Setting '{where}{key}' must be a group of settings.")
            changes[key] = _merge(current, value, f"{where}{key}.")
        elif isinstance(current, (int, float)) and not isinstance(current, bool):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InputError(f"Setting '{where}{key}' must be a number.")
            changes[key] = type(current)(value)
        else:
            changes[key] = value
    return replace(obj, **changes)


def config_from_dict(overrides: dict[str, Any]) -> Config:
    """Default config with the given nested overrides.

    >>> config_from_dict({"bent_knee": {"bands": {"detect": 12}}}).bent_knee.bands.detect
    12.0
    """
    return _merge(Config(), overrides, "")


def load_config(path: str | Path) -> Config:
    """Read overrides from a JSON file (same nesting as ``Config.to_dict()``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"Configuration file not found: {path}.") from None
    except (OSError, ValueError) as err:
        raise InputError(f"Configuration file {path} is not valid JSON ({err}).") from None
    if not isinstance(data, dict):
        raise InputError(f"Configuration file {path} must hold a JSON object.")
    return config_from_dict(data)
