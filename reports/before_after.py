"""Before/after: two sessions' key frames at the same scale, aligned at the feet, and each
check's value across all of a patient's sessions.

No Streamlit here: the app and the PDF use it alike. Nothing is measured again; the
alignment reads the landmarks the engine found in the key frame (the step's "key_frame"
annotation: ``{"frame_index", "t_s", "image_size": [w, h], "landmarks_px": 33 x [x, y]}``),
and the trends read the values the stored reports hold.

Alignment, and why:

- **scale**: every frame is scaled so the ankle-to-shoulder distance has the same length
  in pixels (leg length, hip to ankle, when a shoulder was not found in one of them), so
  two visits filmed from different distances show the body at the same size;
- **translation**: the feet land on the same point: the ground (the lowest heel or toe)
  on one line, and horizontally the ankle facing the camera in a side view (the plumb
  line's usual landmark, the lateral malleolus) or the point midway between the ankles in a
  front view;
- **plumb line**: a vertical line through that point, the same in both pictures, so how far
  the knee, hip, shoulder and ear sit ahead of or behind it can be compared by eye.

>>> pose = KeyFramePose((100, 200), _toy_landmarks(foot_x=40, ground_y=190, shoulder_y=60))
>>> a = anchor_for(pose, (100, 200), "side_left")
>>> (a.foot_x_px, a.ground_y_px, round(a.ankle_to_shoulder_px))
(40.0, 190.0, 125)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageOps

from posture.landmarks import (
    LEFT_ANKLE,
    LEFT_FOOT_INDEX,
    LEFT_HEEL,
    LEFT_HIP,
    LEFT_SHOULDER,
    N_LANDMARKS,
    RIGHT_ANKLE,
    RIGHT_FOOT_INDEX,
    RIGHT_HEEL,
    RIGHT_HIP,
    RIGHT_SHOULDER,
)

from .compare import finite_number
from .verdicts import CHECK_ORDER, STEP_BY_KEY, STEPS, step_title
from .wording import STATUS_LABELS, finding_title, fmt_number, human_datetime

KEY_FRAME_KIND = "key_frame"  # the step annotation that holds the key frame's landmarks
# Where the feet land on the canvas (fractions of its width and height), and the length the
# ankle-to-shoulder distance is scaled to (a fraction of the canvas height): the head, about
# a third of that distance above the shoulders, stays inside with room to spare.
FEET_AT = (0.5, 0.95)
ANKLE_TO_SHOULDER_SHARE = 0.56
# Hip-to-ankle is about 0.6 of ankle-to-shoulder in adults: the fallback scale keeps the
# body at roughly the same size on the canvas.
LEG_SHARE = 0.6 * ANKLE_TO_SHOULDER_SHARE
CANVAS_ASPECT = 0.62  # width / height: a standing person, with room for a forward lean
BACKGROUND = (238, 238, 238)
PLUMB_COLOUR = (0, 110, 220)
GROUND_COLOUR = (120, 120, 120)

MIRRORED_NOTE = ("The later picture is mirrored so both face the same way (it was filmed "
                 "from the other side).")
NOT_ALIGNED_NOTE = (
    "Not aligned: {which} saved before the app kept the key frame's landmarks, so the "
    "pictures are only scaled to the same height (the body's size and position may differ)."
)


@dataclass(frozen=True)
class KeyFramePose:
    """The landmarks the engine found in a step's key frame, in the pixels of ``image_size``."""

    image_size: tuple[int, int]  # (w, h) the landmarks refer to
    landmarks_px: np.ndarray  # (33, 2), NaN where not found
    frame_index: int | None = None
    t_s: float | None = None


def key_frame_pose(payload: Any) -> KeyFramePose | None:
    """The step's "key_frame" annotation as a ``KeyFramePose``; None when it is missing or
    does not hold 33 landmarks and a positive image size (an older or damaged session).

    >>> key_frame_pose(None) is None
    True
    >>> key_frame_pose({"image_size": [10, 20], "landmarks_px": [[1, 2]] * 33}).image_size
    (10, 20)
    """
    if not isinstance(payload, Mapping):
        return None
    try:
        w, h = (int(v) for v in payload.get("image_size") or ())
        points = np.array(
            [[np.nan if c is None else float(c) for c in p] for p in payload["landmarks_px"]],
            dtype=float,
        )
    except (TypeError, ValueError, KeyError):
        return None
    if w <= 0 or h <= 0 or points.shape != (N_LANDMARKS, 2):
        return None
    frame = payload.get("frame_index")
    t_s = payload.get("t_s")
    return KeyFramePose(
        (w, h), points,
        int(frame) if isinstance(frame, int | float) and math.isfinite(frame) else None,
        float(t_s) if isinstance(t_s, int | float) and math.isfinite(t_s) else None,
    )


def is_front_view(view: str | None, step_key: str = "") -> bool:
    """Front (or back) view: from the report's view, else from the step meant for it."""
    if view in ("front", "back"):
        return True
    if view in ("side_left", "side_right"):
        return False
    return step_key == "standing_front"


@dataclass(frozen=True)
class Anchor:
    """Where the feet are in a picture, and the body's lengths to scale by (pixels)."""

    foot_x_px: float
    ground_y_px: float
    ankle_to_shoulder_px: float | None
    leg_px: float | None


def _point(xy: np.ndarray, *indices: int) -> np.ndarray | None:
    """The mean of the found points among ``indices`` (None when none was found)."""
    found = [xy[i] for i in indices if np.isfinite(xy[i]).all()]
    return np.mean(found, axis=0) if found else None


def _first(xy: np.ndarray, *indices: int) -> np.ndarray | None:
    return next((xy[i] for i in indices if np.isfinite(xy[i]).all()), None)


def _length(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    if a is None or b is None:
        return None
    d = float(np.hypot(*(a - b)))
    return d if d > 1.0 else None


def anchor_for(pose: KeyFramePose, image_wh: tuple[int, int], view: str | None,
               step_key: str = "") -> Anchor | None:
    """The feet point and body lengths in the pixels of an image ``image_wh`` (w, h) wide;
    the landmarks are rescaled when the stored frame's size differs from ``image_size``
    (a key frame read smaller than the analysed frame). None without an ankle or a ground
    point."""
    sx = image_wh[0] / pose.image_size[0]
    sy = image_wh[1] / pose.image_size[1]
    xy = pose.landmarks_px * np.array([sx, sy])
    feet = [i for i in (LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX,
                        LEFT_ANKLE, RIGHT_ANKLE) if np.isfinite(xy[i]).all()]
    if not feet:
        return None
    ground_y = float(max(xy[i][1] for i in feet))
    if is_front_view(view, step_key):
        ankle = _point(xy, LEFT_ANKLE, RIGHT_ANKLE)
        shoulder = _point(xy, LEFT_SHOULDER, RIGHT_SHOULDER)
        hip = _point(xy, LEFT_HIP, RIGHT_HIP)
    else:
        # The side facing the camera: its ankle is the plumb line's landmark.
        near = (LEFT_ANKLE, LEFT_SHOULDER, LEFT_HIP)
        far = (RIGHT_ANKLE, RIGHT_SHOULDER, RIGHT_HIP)
        if view == "side_right":
            near, far = far, near
        ankle = _first(xy, near[0], far[0])
        shoulder = _first(xy, near[1], far[1])
        hip = _first(xy, near[2], far[2])
    if ankle is None:
        return None
    return Anchor(float(ankle[0]), ground_y, _length(ankle, shoulder), _length(ankle, hip))


@dataclass
class AlignedFrames:
    """Key frames made comparable: same canvas, same body size, feet on the same point."""

    images: list[Image.Image]
    aligned: bool
    note: str = ""
    scales: list[float] = field(default_factory=list)
    plumb_x_px: int | None = None  # the plumb line's column on the canvas
    ground_y_px: int | None = None
    measure: str = ""  # "ankle to shoulder" or "leg length"


def as_pil(image: Any) -> Image.Image | None:
    """An RGB PIL image from a numpy array, a PIL image or an image file; None otherwise."""
    if isinstance(image, Image.Image):
        return image.convert("RGB")
    if isinstance(image, np.ndarray) and image.ndim == 3:
        return Image.fromarray(np.ascontiguousarray(image[..., :3]).astype(np.uint8))
    if isinstance(image, str | Path) and Path(image).is_file():
        try:
            with Image.open(image) as im:
                return im.convert("RGB")
        except OSError:
            return None
    return None


def _dashed_vertical(draw: ImageDraw.ImageDraw, x: int, height: int, width: int) -> None:
    dash = max(6, height // 40)
    for y0 in range(0, height, 2 * dash):
        draw.line([(x, y0), (x, min(height, y0 + dash))], fill=PLUMB_COLOUR, width=width)


def same_height(images: Sequence[Any], height_px: int, note: str = "") -> AlignedFrames:
    """The fallback without landmarks: each picture scaled to the same height, unaligned."""
    out, scales = [], []
    for image in images:
        im = as_pil(image)
        if im is None:
            continue
        scale = height_px / im.height
        out.append(im.resize((max(1, round(im.width * scale)), height_px), Image.BILINEAR))
        scales.append(scale)
    return AlignedFrames(out, False, note, scales)


def align_key_frames(
    images: Sequence[Any],
    poses: Sequence[KeyFramePose | None],
    views: Sequence[str | None],
    *,
    step_key: str = "",
    height_px: int = 640,
    labels: Sequence[str] = (),
) -> AlignedFrames:
    """Key frames of the same step on canvases of one size: each scaled so its body has the
    same ankle-to-shoulder length (leg length if a shoulder is missing in any), moved so the
    feet land on the same point, with the plumb line and the ground drawn. Without usable
    landmarks for every frame, the fallback ``same_height`` (and a note naming which)."""
    pil = [as_pil(im) for im in images]
    mirrored = _facing_apart(views)
    if mirrored and pil[-1] is not None:
        # Filmed from the other side: the later picture is mirrored so both face the same
        # way (the near leg stays the near leg; only left and right on screen swap).
        pil[-1] = ImageOps.mirror(pil[-1])
        poses = [*poses[:-1], _mirrored(poses[-1])]
    anchors = [
        anchor_for(p, im.size, v, step_key) if p is not None and im is not None else None
        for im, p, v in zip(pil, poses, views, strict=True)
    ]
    missing = [labels[k] if k < len(labels) else f"picture {k + 1}"
               for k, a in enumerate(anchors) if a is None]
    if missing or not pil:
        which = " and ".join(missing) + (" were" if len(missing) > 1 else " was")
        note = NOT_ALIGNED_NOTE.format(which=which)
        return same_height(pil, height_px, f"{note} {MIRRORED_NOTE}" if mirrored else note)
    if all(a.ankle_to_shoulder_px for a in anchors):
        lengths = [a.ankle_to_shoulder_px for a in anchors]
        target, measure = ANKLE_TO_SHOULDER_SHARE * height_px, "ankle to shoulder"
    elif all(a.leg_px for a in anchors):
        lengths = [a.leg_px for a in anchors]
        target, measure = LEG_SHARE * height_px, "leg length"
    else:
        return same_height(pil, height_px, "Not aligned: the shoulders and hips were not "
                           "found in every key frame, so the pictures are only scaled to the "
                           "same height.")
    width_px = round(CANVAS_ASPECT * height_px)
    feet_x, feet_y = FEET_AT[0] * width_px, FEET_AT[1] * height_px
    out, scales = [], []
    line_w = max(2, height_px // 240)
    for im, a, length in zip(pil, anchors, lengths, strict=True):
        scale = target / length
        # PIL's affine map goes from the canvas back to the source picture.
        data = (1 / scale, 0.0, a.foot_x_px - feet_x / scale,
                0.0, 1 / scale, a.ground_y_px - feet_y / scale)
        canvas = im.transform((width_px, height_px), Image.AFFINE, data,
                              resample=Image.BILINEAR, fillcolor=BACKGROUND)
        draw = ImageDraw.Draw(canvas)
        draw.line([(0, round(feet_y)), (width_px, round(feet_y))], fill=GROUND_COLOUR,
                  width=max(1, line_w // 2))
        _dashed_vertical(draw, round(feet_x), height_px, line_w)
        out.append(canvas)
        scales.append(scale)
    note = MIRRORED_NOTE if mirrored else ""
    return AlignedFrames(out, True, note, scales, round(feet_x), round(feet_y), measure)


def _facing_apart(views: Sequence[str | None]) -> bool:
    """Two side views from opposite sides (one faces image-left, the other image-right)."""
    sides = [v for v in views if v in ("side_left", "side_right")]
    return len(sides) == len(views) == 2 and sides[0] != sides[1]


def _mirrored(pose: KeyFramePose | None) -> KeyFramePose | None:
    if pose is None:
        return None
    xy = pose.landmarks_px.copy()
    xy[:, 0] = pose.image_size[0] - xy[:, 0]
    return KeyFramePose(pose.image_size, xy, pose.frame_index, pose.t_s)


def plumb_line_words(view: str | None, step_key: str = "") -> str:
    if is_front_view(view, step_key):
        return "plumb line midway between the feet"
    return "plumb line through the ankle"


# --- captions -----------------------------------------------------------------------------


SHORT_NAMES = {
    "hollow_back": "Hollow back",
    "knee_hyperextension": "Knees pressed back",
    "bent_knee": "Bent knees",
    "weight_shift": "Weight shift",
    "reduced_trunk_pelvis_motion": "Pelvis and trunk motion",
}


def step_values(report: Mapping[str, Any] | None, step_key: str,
                short: bool = False) -> list[str]:
    """'Hollow back …: Seen, moderate, 11.7°' for each check the step is meant for (and any
    other it assessed), as its stored report has them; ``short`` names the checks briefly
    (a PDF caption under a small picture).

    >>> step_values({"findings": [{"id": "bent_knee", "status": "detected",
    ...     "severity": "mild", "value": 12.0, "unit": "deg"}]}, "standing_side", short=True)
    ['Bent knees: Seen, mild, 12.0°']
    """
    findings = (report or {}).get("findings") or []
    spec = STEP_BY_KEY.get(step_key)
    meant = set(spec.checks) if spec else set()
    lines = []
    for finding in sorted(findings, key=lambda f: _check_rank(f.get("id"))):
        status = str(finding.get("status") or "not_assessable")
        if finding.get("id") not in meant and status == "not_assessable":
            continue
        parts = [STATUS_LABELS.get(status, status)]
        severity = finding.get("severity")
        if status in ("detected", "uncertain") and severity and severity != "none":
            parts.append(str(severity))
        if status != "not_assessable" and finding.get("value") is not None:
            parts.append(fmt_number(finding.get("value"), finding.get("unit")))
        name = SHORT_NAMES.get(str(finding.get("id"))) if short else None
        lines.append(f"{name or finding_title(finding)}: {', '.join(parts)}")
    return lines


def _check_rank(check_id: Any) -> int:
    return CHECK_ORDER.index(check_id) if check_id in CHECK_ORDER else len(CHECK_ORDER)


def shared_steps(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Steps recorded in both sessions, in the protocol's order."""
    keys = [s.key for s in STEPS if s.key in before and s.key in after]
    return keys + [k for k in after if k in before and k not in keys]


# --- trends across sessions -----------------------------------------------------------------


@dataclass(frozen=True)
class SessionRef:
    """One stored session as the trends need it."""

    session_id: int
    created_at: str
    steps: Mapping[str, Mapping[str, Any]]

    @property
    def label(self) -> str:
        return human_datetime(self.created_at)


@dataclass(frozen=True)
class TrendPoint:
    session_id: int
    label: str  # the session's date and time
    value: float | None  # None: not assessed in that session (a gap, not a zero)
    status: str


@dataclass(frozen=True)
class Trend:
    """One check as measured in one step, one point per session, oldest first."""

    check_id: str
    step_key: str
    title: str
    unit: str | None
    thresholds: tuple[float, ...]  # as each session's report stated it (usually one)
    points: tuple[TrendPoint, ...]

    @property
    def step_title(self) -> str:
        return step_title(self.step_key)

    @property
    def values(self) -> list[float]:
        return [p.value for p in self.points if p.value is not None]


def trends(sessions: Sequence[SessionRef]) -> list[Trend]:
    """Per check and per step that assessed it in at least one session: its value in each
    session (oldest first), read from the stored reports. A standing knee angle and a
    walking one are separate trends: they are different measurements with their own
    thresholds.

    >>> old = SessionRef(1, "2026-11-01T10:00:00", {"standing_side": {"findings": [
    ...     {"id": "hollow_back", "status": "detected", "value": 11.7, "unit": "deg",
    ...      "threshold": 5.0}]}})
    >>> new = SessionRef(2, "2026-11-20T10:00:00", {"standing_side": {"findings": [
    ...     {"id": "hollow_back", "status": "not_detected", "value": 3.1, "unit": "deg",
    ...      "threshold": 5.0}]}})
    >>> [(t.check_id, t.values, t.thresholds) for t in trends([new, old])]
    [('hollow_back', [11.7, 3.1], (5.0,))]
    """
    ordered = sorted(sessions, key=lambda s: (s.created_at, s.session_id))
    step_order = [s.key for s in STEPS]
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for session in ordered:
        for step_key, report in session.steps.items():
            for finding in (report or {}).get("findings") or []:
                if finding.get("status") == "not_assessable" or finding.get("id") is None:
                    continue
                if finite_number(finding.get("value")) is None:
                    continue
                pairs.setdefault((str(finding["id"]), step_key), finding)
    out = []
    for (check_id, step_key), sample in sorted(
        pairs.items(), key=lambda kv: (_check_rank(kv[0][0]), step_order.index(kv[0][1])
                                       if kv[0][1] in step_order else len(step_order))):
        points, thresholds = [], []
        for session in ordered:
            finding = next((f for f in (session.steps.get(step_key) or {}).get("findings")
                            or [] if f.get("id") == check_id), None) or {}
            status = str(finding.get("status") or "not_recorded")
            value = finite_number(finding.get("value")) if status != "not_assessable" else None
            points.append(TrendPoint(session.session_id, session.label, value, status))
            cut = finite_number(finding.get("threshold"))
            if cut is not None and cut not in thresholds:
                thresholds.append(cut)
        out.append(Trend(check_id, step_key, finding_title(sample), sample.get("unit"),
                         tuple(thresholds), tuple(points)))
    return out


def _toy_landmarks(foot_x: float, ground_y: float, shoulder_y: float) -> np.ndarray:
    """A standing stick figure's landmarks (for the examples and tests): every point on the
    vertical through ``foot_x``, ankles 5 px above the ground, hips halfway up."""
    xy = np.full((N_LANDMARKS, 2), np.nan)
    ankle_y = ground_y - 5
    for i in (LEFT_ANKLE, RIGHT_ANKLE):
        xy[i] = (foot_x, ankle_y)
    for i in (LEFT_HEEL, RIGHT_HEEL, LEFT_FOOT_INDEX, RIGHT_FOOT_INDEX):
        xy[i] = (foot_x, ground_y)
    for i in (LEFT_SHOULDER, RIGHT_SHOULDER):
        xy[i] = (foot_x, shoulder_y)
    for i in (LEFT_HIP, RIGHT_HIP):
        xy[i] = (foot_x, (shoulder_y + ankle_y) / 2)
    return xy


# The least span of a trend's y axis, in its unit: a degree of noise between visits must not
# fill the chart's height (the same spans as the app's time-series charts).
TREND_MIN_SPAN = {"deg": 10.0, "%": 10.0}
TREND_MIN_SPAN_OTHER = 1.0


def trend_y_range(trend: Trend) -> tuple[float, float] | None:
    """(low, high) covering the trend's values and thresholds with a little room, at least
    ``TREND_MIN_SPAN`` of its unit high and centred on them; None without a value.

    >>> t = Trend("hollow_back", "standing_side", "Hollow back", "deg", (5.0,), (
    ...     TrendPoint(1, "a", 3.0, "not_detected"), TrendPoint(2, "b", 4.0, "not_detected")))
    >>> trend_y_range(t)
    (-1.0, 9.0)
    """
    values = trend.values
    if not values:
        return None
    lo = min(values + list(trend.thresholds))
    hi = max(values + list(trend.thresholds))
    span = TREND_MIN_SPAN.get(trend.unit or "", TREND_MIN_SPAN_OTHER)
    if hi - lo < span:
        mid = (lo + hi) / 2
        return (mid - span / 2, mid + span / 2)
    pad = 0.08 * (hi - lo)
    return (lo - pad, hi + pad)


# --- the two compared sessions ---------------------------------------------------------------


@dataclass
class SessionSide:
    """One of the two compared sessions: its reports, each step's first key frame (an image
    file or array) and its annotations (step key -> {kind: payload})."""

    ref: SessionRef
    key_frames: Mapping[str, Any] = field(default_factory=dict)
    annotations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def view(self, step_key: str) -> str | None:
        summary = (self.ref.steps.get(step_key) or {}).get("summary") or {}
        return summary.get("view")


@dataclass
class StepComparison:
    """One step recorded in both sessions: its key frames made comparable, and captions."""

    step_key: str
    title: str
    frames: AlignedFrames
    before_lines: list[str]
    after_lines: list[str]
    plumb: str  # what the plumb line goes through


def compare_key_frames(before: SessionSide, after: SessionSide, height_px: int = 640,
                       short: bool = False) -> list[StepComparison]:
    """Per step with a key frame in both sessions: the two frames aligned at the feet (or
    scaled to the same height, with a note, when a session has no key-frame landmarks)."""
    out = []
    for step_key in shared_steps(before.ref.steps, after.ref.steps):
        images = [before.key_frames.get(step_key), after.key_frames.get(step_key)]
        if any(im is None for im in images):
            continue
        sides = (before, after)
        poses = [key_frame_pose((s.annotations.get(step_key) or {}).get(KEY_FRAME_KIND))
                 for s in sides]
        views = [s.view(step_key) for s in sides]
        frames = align_key_frames(images, poses, views, step_key=step_key, height_px=height_px,
                                  labels=[f"the session of {s.ref.label}" for s in sides])
        if len(frames.images) != 2:
            continue  # a picture file that cannot be read any more
        out.append(StepComparison(
            step_key, step_title(step_key), frames,
            step_values(before.ref.steps.get(step_key), step_key, short),
            step_values(after.ref.steps.get(step_key), step_key, short),
            plumb_line_words(views[1] or views[0], step_key),
        ))
    return out


# --- walks in step: the sync of two annotated walking videos ---------------------------------

# Browsers play from 1/16 to 16 times; beyond a factor of 3 the slower walk looks broken.
MAX_RATE_FACTOR = 3.0


@dataclass(frozen=True)
class GaitSync:
    """How to play two walks in step: both start at a heel strike of the same leg, and the
    second plays at ``rate_b`` so its gait cycle lasts as long as the first one's."""

    side: str
    start_s: tuple[float, float]
    cycle_s: tuple[float, float]

    @property
    def rate_b(self) -> float:
        return self.cycle_s[1] / self.cycle_s[0]


def _heel_strikes(gait: Mapping[str, Any], side: str) -> list[float]:
    return sorted(float(e["t_s"]) for e in gait.get("events") or []
                  if e.get("kind") == "heel_strike" and e.get("side") == side
                  and finite_number(e.get("t_s")) is not None)


def _cycle_s(gait: Mapping[str, Any], side: str) -> float | None:
    per_side = (gait.get("per_side") or {}).get(side) or {}
    value = finite_number(per_side.get("stride_time_s")) or finite_number(gait.get("stride_time_s"))
    return value if value and value > 0 else None


def gait_sync(gait_a: Mapping[str, Any] | None, gait_b: Mapping[str, Any] | None
              ) -> GaitSync | str:
    """The sync of two walks from their reports' gait sections, or why there is none.

    >>> a = {"reliable": True, "stride_time_s": 1.0, "events": [
    ...     {"side": "left", "kind": "heel_strike", "t_s": 0.4}]}
    >>> b = {"reliable": True, "stride_time_s": 1.2, "events": [
    ...     {"side": "left", "kind": "heel_strike", "t_s": 0.9}]}
    >>> s = gait_sync(a, b)
    >>> (s.side, s.start_s, round(s.rate_b, 2))
    ('left', (0.4, 0.9), 1.2)
    """
    gaits = [g if isinstance(g, Mapping) else {} for g in (gait_a, gait_b)]
    for g in gaits:
        if not g.get("events"):
            return "the gait was not analysed in both walks"
        if g.get("reliable") is False:
            return "the gait timing of one walk is not reliable"
    best: tuple[tuple[int, int], str] | None = None
    for side in ("left", "right"):
        strikes = [_heel_strikes(g, side) for g in gaits]
        cycles = [_cycle_s(g, side) for g in gaits]
        if all(strikes) and all(cycles):
            strides = sum(int((g.get("strides_per_side") or {}).get(side) or 0) for g in gaits)
            rank = (strides, side == "left")
            if best is None or rank > best[0]:
                best = (rank, side)
    if best is None:
        return "no leg has a heel strike and a stride time in both walks"
    side = best[1]
    starts = tuple(_heel_strikes(g, side)[0] for g in gaits)
    cycles = tuple(_cycle_s(g, side) for g in gaits)
    sync = GaitSync(side, starts, cycles)
    if not 1 / MAX_RATE_FACTOR <= sync.rate_b <= MAX_RATE_FACTOR:
        return "the two walks' gait cycles differ more than threefold"
    return sync
