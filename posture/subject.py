"""Stage 3: keep one main subject when several people are in view.

MediaPipe Pose follows one person at a time and, when it loses them, re-detects whoever
its detector finds first, which may be someone else. The sequence is cut wherever the hip
centre jumps further than a person can move between two frames; the longest stretch is the
main subject, and other stretches join it only where they continue from where it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import QualityConfig
from .landmarks import LEFT_ANKLE, LEFT_HIP, LEFT_SHOULDER, RIGHT_ANKLE, RIGHT_HIP, RIGHT_SHOULDER


@dataclass(frozen=True)
class SubjectSelection:
    keep: np.ndarray  # (N,) bool: frames that show the main subject
    n_tracks: int  # stretches of continuous tracking found
    dropped_frames: int  # frames with a person that were someone else
    method: str  # plain sentence for the report
    upside_down_frames: int = 0  # frames whose person had the shoulders below the hips


def _body_height_px(xy_px: np.ndarray) -> np.ndarray:
    shoulders = (xy_px[:, LEFT_SHOULDER] + xy_px[:, RIGHT_SHOULDER]) / 2
    ankles = (xy_px[:, LEFT_ANKLE] + xy_px[:, RIGHT_ANKLE]) / 2
    return np.linalg.norm(shoulders - ankles, axis=-1)


def _tracks(hips: np.ndarray, height: np.ndarray, found: np.ndarray,
            max_jump: float) -> list[list[int]]:
    tracks: list[list[int]] = []
    for i in np.flatnonzero(found):
        if tracks:
            last = tracks[-1][-1]
            scale = np.nanmax([height[last], height[i]])
            jump = np.linalg.norm(hips[i] - hips[last])
            size_change = abs(height[i] - height[last]) / scale if scale > 0 else 0.0
            if jump <= max_jump * scale and size_change <= 0.3:
                tracks[-1].append(int(i))
                continue
        tracks.append([int(i)])
    return tracks


def select_subject(xy_px: np.ndarray, quality: QualityConfig,
                   t_s: np.ndarray | None = None) -> SubjectSelection:
    """Frames of the main subject in a (N, 33, 2) landmark sequence (NaN = no person).

    With ``t_s``, a stretch that starts after nobody was in view for longer than
    ``quality.max_rejoin_gap_s`` is somebody who came in, not the subject coming back:
    people taking turns at the same spot are not merged into one."""
    found = np.isfinite(xy_px).all(axis=(1, 2))
    keep = np.zeros(len(xy_px), dtype=bool)
    # Standing and walking people have their shoulders above their hips; MediaPipe also
    # "finds" people in upside-down pictures, whose angles would all be mirrored nonsense.
    with np.errstate(invalid="ignore"):
        upside_down = found & (
            (xy_px[:, LEFT_SHOULDER, 1] + xy_px[:, RIGHT_SHOULDER, 1])
            > (xy_px[:, LEFT_HIP, 1] + xy_px[:, RIGHT_HIP, 1])
        )
    found &= ~upside_down
    if not found.any():
        method = ("The person appears upside down." if upside_down.any()
                  else "No person was found.")
        return SubjectSelection(keep, 0, 0, method, int(upside_down.sum()))
    hips = (xy_px[:, LEFT_HIP] + xy_px[:, RIGHT_HIP]) / 2
    height = _body_height_px(xy_px)
    tracks = _tracks(hips, height, found, quality.max_subject_jump_fraction)
    main = max(range(len(tracks)), key=lambda k: len(tracks[k]))
    chosen = {main}
    # Stretches before and after the main one join it when they pick up where it left off.
    for direction in (1, -1):
        anchor = tracks[main]
        k = main + direction
        while 0 <= k < len(tracks):
            edge_prev = anchor[-1] if direction == 1 else anchor[0]
            edge_next = tracks[k][0] if direction == 1 else tracks[k][-1]
            scale = np.nanmax([height[edge_prev], height[edge_next]])
            gap_frames = abs(edge_next - edge_prev)
            allowed = quality.max_subject_jump_fraction * scale * max(1.0, gap_frames / 3)
            same_size = abs(height[edge_next] - height[edge_prev]) <= 0.3 * scale
            left_view = t_s is not None and (
                abs(float(t_s[edge_next] - t_s[edge_prev])) > quality.max_rejoin_gap_s)
            if left_view:
                break
            if same_size and np.linalg.norm(hips[edge_next] - hips[edge_prev]) <= allowed:
                chosen.add(k)
                anchor = tracks[k]
            k += direction
    for k in chosen:
        keep[tracks[k]] = True
    dropped = int(found.sum() - keep.sum())
    if len(tracks) == 1:
        method = "One person was tracked throughout."
    else:
        method = (
            f"MediaPipe follows one person at a time; tracking jumped {len(tracks) - 1} time(s). "
            f"The person tracked longest is analysed ({int(keep.sum())} of {int(found.sum())} "
            f"frames with a person); {dropped} frame(s) showing someone else were left out."
        )
    return SubjectSelection(keep, len(tracks), dropped, method, int(upside_down.sum()))


# --------------------------------------------------------------------------- scanning
# Before the pose pass, a few sampled frames are searched for everyone in view (MediaPipe
# finds one person per call, so each one found is painted over and the frame searched
# again). People are linked across samples into tracks; the main subject is the person
# who walks farthest across the view, or, when nobody walks, the one seen largest for
# longest. The pose pass then follows that person in a crop, so that MediaPipe's tracker
# cannot wander to someone else.


@dataclass(frozen=True)
class Sighting:
    t_s: float
    centre_px: tuple[float, float]  # hip centre
    box_px: tuple[float, float, float, float]  # x0, y0, x1, y1 around all landmarks
    height_px: float  # shoulder-to-ankle length


@dataclass
class Track:
    sightings: list[Sighting]

    @property
    def displacement_heights(self) -> float:
        first, last = self.sightings[0], self.sightings[-1]
        size = float(np.median([s.height_px for s in self.sightings]))
        return abs(last.centre_px[0] - first.centre_px[0]) / max(size, 1.0)

    @property
    def presence_px(self) -> float:
        return len(self.sightings) * float(np.median([s.height_px for s in self.sightings]))


@dataclass(frozen=True)
class SubjectPlan:
    """The pose stage's instructions: None = whole frame; else follow ``track`` in a crop."""

    track: Track | None
    people_seen: int
    method: str

    def crop_box(self, t_s: float, width_px: int, height_px: int,
                 margin: float = 0.45) -> tuple[int, int, int, int] | None:
        """Square-ish crop (x0, y0, x1, y1) around the subject at ``t_s``, or None when
        the subject is not in view then."""
        if self.track is None:
            return None
        s = self.track.sightings
        times = np.array([x.t_s for x in s])
        step = float(np.median(np.diff(times))) if len(times) > 1 else 0.5
        if t_s < times[0] - step or t_s > times[-1] + step:
            return None
        boxes = np.array([x.box_px for x in s])
        box = [float(np.interp(t_s, times, boxes[:, k])) for k in range(4)]
        # Extrapolate the motion a little beyond the first and last sighting.
        if len(times) > 1 and (t_s < times[0] or t_s > times[-1]):
            i, j = (0, 1) if t_s < times[0] else (-2, -1)
            velocity = (boxes[j] - boxes[i]) / max(times[j] - times[i], 1e-6)
            anchor = boxes[0] if t_s < times[0] else boxes[-1]
            box = list(anchor + velocity * (t_s - (times[0] if t_s < times[0] else times[-1])))
        w, h = box[2] - box[0], box[3] - box[1]
        side = max(w, h) * (1 + 2 * margin)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        x0, y0 = max(0, int(cx - side / 2)), max(0, int(cy - side / 2))
        x1, y1 = min(width_px, int(cx + side / 2)), min(height_px, int(cy + side / 2))
        if x1 - x0 < 16 or y1 - y0 < 16:
            return None
        return x0, y0, x1, y1


def sightings_in_frame(
    image_rgb: np.ndarray, t_s: float, find_one, scale: float, max_people: int = 3
) -> list[Sighting]:
    """Everyone ``find_one`` (image -> (33, 2) pixels or None) finds in one frame.

    ``scale`` converts pixels of ``image_rgb`` to pixels of the full frame.
    """
    image = image_rgb.copy()
    found: list[Sighting] = []
    for _ in range(max_people):
        xy = find_one(image)
        if xy is None:
            break
        x0, y0 = np.nanmin(xy, axis=0)
        x1, y1 = np.nanmax(xy, axis=0)
        pad_x, pad_y = 0.15 * (x1 - x0) + 4, 0.1 * (y1 - y0) + 4
        # Paint the person over with the frame's mean colour so the next search skips them.
        image[max(0, int(y0 - pad_y)) : int(y1 + pad_y) + 1,
              max(0, int(x0 - pad_x)) : int(x1 + pad_x) + 1] = image.mean(axis=(0, 1))
        hips = (xy[LEFT_HIP] + xy[RIGHT_HIP]) / 2
        shoulders = (xy[LEFT_SHOULDER] + xy[RIGHT_SHOULDER]) / 2
        ankles = (xy[LEFT_ANKLE] + xy[RIGHT_ANKLE]) / 2
        height = float(np.linalg.norm(shoulders - ankles))
        found.append(Sighting(
            t_s, (float(hips[0] * scale), float(hips[1] * scale)),
            (float(x0 * scale), float(y0 * scale), float(x1 * scale), float(y1 * scale)),
            height * scale,
        ))
    return found


def link_tracks(samples: list[list[Sighting]], max_jump_heights: float = 1.2) -> list[Track]:
    """Greedy nearest-neighbour linking of sightings across samples into tracks."""
    tracks: list[Track] = []
    for sightings in samples:
        taken: set[int] = set()
        for sighting in sorted(sightings, key=lambda s: -s.height_px):
            best, best_cost = None, np.inf
            for k, track in enumerate(tracks):
                last = track.sightings[-1]
                if k in taken or last.t_s >= sighting.t_s:
                    continue
                size = max(last.height_px, sighting.height_px, 1.0)
                ratio = sighting.height_px / max(last.height_px, 1.0)
                gap_s = sighting.t_s - last.t_s
                cost = np.hypot(sighting.centre_px[0] - last.centre_px[0],
                                sighting.centre_px[1] - last.centre_px[1]) / size
                if 0.6 <= ratio <= 1.6 and cost <= max_jump_heights * max(1.0, gap_s / 0.5) \
                        and cost < best_cost:
                    best, best_cost = k, cost
            if best is None:
                tracks.append(Track([sighting]))
                taken.add(len(tracks) - 1)
            else:
                tracks[best].sightings.append(sighting)
                taken.add(best)
    return tracks


def choose_subject(tracks: list[Track], min_walk_heights: float = 1.0) -> SubjectPlan:
    """The walker who covers most ground, else the person seen largest for longest."""
    if not tracks:
        return SubjectPlan(None, 0, "No person was found in the scan.")
    # A person glimpsed in a single sample is usually a false detection.
    tracks = [t for t in tracks if len(t.sightings) >= 2] or tracks
    people = len(tracks)
    if people == 1:
        return SubjectPlan(None, 1, "One person was in view.")
    walkers = [t for t in tracks if t.displacement_heights >= min_walk_heights
               and len(t.sightings) >= 3]
    if walkers:
        main = max(walkers, key=lambda t: (len(t.sightings), t.displacement_heights))
        why = "the person walking across the view (seen longest among those walking)"
    else:
        main = max(tracks, key=lambda t: t.presence_px)
        why = "the person seen largest for longest"
    method = (f"{people} people were seen in a scan of the recording; the analysis follows "
              f"{why}, from {main.sightings[0].t_s:.1f} s to {main.sightings[-1].t_s:.1f} s, "
              "in a crop around them.")
    return SubjectPlan(main, people, method)


class SampleTimes:
    """Which frames the subject scan searches: the first at or after each multiple of
    ``spacing_s`` (on a steady frame rate, every n-th frame). A clip whose length is unknown
    (``expected_s`` None: WebM recorded in a browser says nothing) or longer than it said
    is sampled every ``unknown_spacing_s``, spaced twice as far after every
    ``max_samples`` samples, so the scan stays short however long the clip.

    >>> times = SampleTimes(spacing_s=0.5, fps=30.0, expected_s=2.0)
    >>> [i for i in range(60) if times.take(i / 30)]
    [0, 15, 30, 45]
    """

    def __init__(self, spacing_s: float, fps: float, expected_s: float | None,
                 max_samples: int = 40, unknown_spacing_s: float = 0.5) -> None:
        self.spacing_s = spacing_s
        self.expected_s = expected_s
        self.max_samples = max_samples
        self.unknown_spacing_s = unknown_spacing_s
        self.taken = 0
        self._slack_s = 0.25 / fps  # timestamps a little early still count as on time
        self._next_t_s = 0.0
        self._since_change = 0
        if expected_s is None:
            self._unknown()

    def _unknown(self) -> None:
        self.expected_s = None
        self.spacing_s = max(self.spacing_s, self.unknown_spacing_s)
        self._since_change = 0

    def take(self, t_s: float) -> bool:
        """Whether the frame at ``t_s`` (called in time order) is a sample."""
        if self.expected_s is not None and t_s > 1.25 * self.expected_s + 0.25:
            self._unknown()  # the file said it was shorter than it is
        if t_s < self._next_t_s - self._slack_s:
            return False
        self.taken += 1
        self._since_change += 1
        if self.expected_s is None and self._since_change >= self.max_samples:
            self.spacing_s *= 2
            self._since_change = 0
        self._next_t_s = (np.floor((t_s + self._slack_s) / self.spacing_s) + 1) * self.spacing_s
        return True


def scan_for_subject(path, info, config, frames=None, samples=None) -> SubjectPlan:
    """Sample a video file about twice a second and plan whom the pose pass follows.

    ``frames``: the clip's frames already decoded at the inference size, in order (the
    pipeline decodes short clips once for both passes); samples are taken from them
    instead of decoding the file again. Without them the file is decoded in a thread
    while the samples are searched, and a long clip whose keyframes come at least as often
    as the samples has only its keyframes decoded. ``samples``: a list that receives each
    sample's sightings (the pipeline reads how much the subject moves from them).
    Clips with many samples are searched by two MediaPipe graphs side by side (photo mode
    keeps no state, so which graph searches a sample does not change what it finds).
    """
    import queue
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import ExitStack, closing

    from .pose import PoseEstimator
    from .source import open_media, prefetch

    if info.kind != "video":
        return SubjectPlan(None, 1, "One photo.")
    fps = info.fps or 30.0
    duration = info.duration_s or ((info.frame_count or 0) / fps)
    n_samples = int(min(40, max(4, duration * 2)))
    every_nth = max(1, int(round((info.frame_count or fps * duration) / n_samples)))
    spacing_s = every_nth / fps
    times = SampleTimes(spacing_s, fps, duration if duration > 0 else None)
    samples = [] if samples is None else samples
    max_side = config.pose.inference_max_side_px
    workers = 2 if n_samples >= 8 or times.expected_s is None else 1
    with ExitStack() as stack:
        estimators: queue.Queue = queue.Queue()
        for _ in range(workers):
            estimators.put(stack.enter_context(PoseEstimator("image", config.pose)))
        pool = stack.enter_context(ThreadPoolExecutor(workers))
        keyframes_only = False
        if frames is None:
            media = stack.enter_context(open_media(
                path, max_side_px=max_side, max_duration_s=config.max_duration_s))
            # Decoding every frame of a long clip costs more than searching the samples;
            # keyframes alone are nearly free to decode and serve as samples when close
            # enough together.
            gap_s = media.max_keyframe_gap_s() if duration > 30 else None
            keyframes_only = gap_s is not None and gap_s <= 1.5 * spacing_s
            # Frames that are not samples are decoded but not converted.
            # (closed before the media: the decoder thread stops first)
            frames = stack.enter_context(closing(prefetch(media.frames(
                max_side_px=max_side, keyframes_only=keyframes_only,
                convert_if=None if keyframes_only else times.take))))
        else:
            frames = (frame for frame in frames if times.take(frame.t_s))

        def search(image: np.ndarray, t_s: float) -> list[Sighting]:
            estimator = estimators.get()

            def find_one(image: np.ndarray):
                h, w = image.shape[:2]
                pose_frame = estimator.estimate(image, 0, 0.0, w, h)
                return pose_frame.xy_px if pose_frame.found else None

            try:
                scale = info.width_px / image.shape[1]
                return sightings_in_frame(image, t_s, find_one, scale)
            finally:
                estimators.put(estimator)

        pending: deque = deque()
        next_t_s = -np.inf
        for frame in frames:
            if keyframes_only:
                if frame.t_s < next_t_s:
                    continue
                next_t_s = frame.t_s + 0.9 * spacing_s
            elif not frame.image_rgb.size:
                continue  # decoded, not a sample
            pending.append(pool.submit(search, frame.image_rgb, frame.t_s))
            while len(pending) > workers:  # in order, with few frames waiting
                samples.append(pending.popleft().result())
        while pending:
            samples.append(pending.popleft().result())
    return choose_subject(link_tracks(samples))
