"""Stage 3: keep one main subject when several people are in view.

MediaPipe Pose follows one person at a time and, when it loses them, re-detects whoever
its detector finds first, which may be someone else. The sequence is cut wherever the hip
centre jumps further than a person can move between two frames; the longest stretch is the
main subject, and other stretches join it only where they continue from where it was.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from dataclasses import dataclass
from typing import Any

import numpy as np

from .config import Config, FarSubjectConfig, QualityConfig
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
    # The one person the scan saw when they were alone (``track`` is then None: the whole
    # frame is analysed); where MediaPipe misses them in a whole frame, ``retry_box`` says
    # where to look again.
    seen: Track | None = None

    def crop_box(self, t_s: float, width_px: int, height_px: int,
                 margin: float = 0.45) -> tuple[int, int, int, int] | None:
        """Square-ish crop (x0, y0, x1, y1) around the subject at ``t_s``, or None when
        the subject is not in view then."""
        if self.track is None:
            return None
        return _box_around(self.track, t_s, width_px, height_px, margin, reach_s=None)

    def retry_box(self, t_s: float, width_px: int, height_px: int,
                  reach_s: float) -> tuple[int, int, int, int] | None:
        """Where the lone person the scan saw should be at ``t_s`` (their path extrapolated
        up to ``reach_s`` beyond the first and last sighting), or None."""
        if self.track is not None or self.seen is None or reach_s <= 0:
            return None
        return _box_around(self.seen, t_s, width_px, height_px, 0.45, reach_s)


def _box_around(track: Track, t_s: float, width_px: int, height_px: int, margin: float,
                reach_s: float | None) -> tuple[int, int, int, int] | None:
    """A square-ish box around ``track`` at ``t_s``: interpolated between sightings, the
    motion extrapolated up to ``reach_s`` (None: one sampling step) beyond the ends."""
    s = track.sightings
    times = np.array([x.t_s for x in s])
    step = float(np.median(np.diff(times))) if len(times) > 1 else 0.5
    reach = step if reach_s is None else reach_s
    if t_s < times[0] - reach or t_s > times[-1] + reach:
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
    image_rgb: np.ndarray, t_s: float, find_one, scale: float, max_people: int = 3,
    origin_px: tuple[int, int] = (0, 0),
) -> list[Sighting]:
    """Everyone ``find_one`` (image -> (33, 2) pixels or None) finds in one frame.

    ``scale`` converts pixels of ``image_rgb`` to pixels of the full frame; ``origin_px``
    is where ``image_rgb`` starts in the frame it was cut from (a tile), in that frame's
    pixels before scaling.
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
        ox, oy = origin_px
        found.append(Sighting(
            t_s, (float((hips[0] + ox) * scale), float((hips[1] + oy) * scale)),
            (float((x0 + ox) * scale), float((y0 + oy) * scale),
             float((x1 + ox) * scale), float((y1 + oy) * scale)),
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
        return SubjectPlan(None, 1, "One person was in view.", seen=tracks[0])
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


# --------------------------------------------------------------------------- far subjects
# MediaPipe's person detector sees the whole frame shrunk to 224 px, so someone far from
# the camera, or filmed at a low resolution, is too small for it (``FarSubjectConfig``).
# When the scan finds nobody, finds the subject seldom, or finds them small, it searches its
# samples again in overlapping tiles: MediaPipe scales each tile up to its networks' size,
# so a person small in the frame is large in a tile. The pose pass then follows them in a
# crop around them, which MediaPipe enlarges the same way.


def tile_boxes(width_px: int, height_px: int,
               far: FarSubjectConfig) -> list[tuple[int, int, int, int]]:
    """Overlapping square tiles (x0, y0, x1, y1), row by row, that cover a ``width_px`` x
    ``height_px`` image: ``far.tile_side_share`` of its long side, neighbours overlapping
    by at least ``far.tile_overlap`` of a tile; none when smaller than
    ``far.min_tile_side_px``.

    >>> tiles = tile_boxes(640, 480, FarSubjectConfig())
    >>> len(tiles), tiles[0], tiles[1], tiles[-1]
    (12, (0, 0, 256, 256), (128, 0, 384, 256), (384, 224, 640, 480))
    """
    side = int(round(far.tile_side_share * max(width_px, height_px)))
    if side < far.min_tile_side_px:
        return []
    stride = side * (1 - min(max(far.tile_overlap, 0.0), 0.9))

    def spans(length: int) -> list[tuple[int, int]]:
        if side >= length:
            return [(0, length)]
        count = int(np.ceil((length - side) / stride - 1e-9)) + 1
        step = (length - side) / (count - 1)
        return [(int(round(k * step)), int(round(k * step)) + side) for k in range(count)]

    return [(x0, y0, x1, y1) for y0, y1 in spans(height_px) for x0, x1 in spans(width_px)]


def _inner_margin(box: np.ndarray, tile: tuple[int, int, int, int],
                  width_px: int, height_px: int) -> float:
    """How far ``box`` keeps from the edges of ``tile`` that lie inside the image (a person
    cut by one of them is whole in a neighbouring tile); negative when it crosses one."""
    tx0, ty0, tx1, ty1 = tile
    gaps = []
    if tx0 > 0:
        gaps.append(box[0] - tx0)
    if ty0 > 0:
        gaps.append(box[1] - ty0)
    if tx1 < width_px:
        gaps.append(tx1 - box[2])
    if ty1 < height_px:
        gaps.append(ty1 - box[3])
    return float(min(gaps, default=np.inf))


def _same_person(a: Sighting, b: Sighting, within_heights: float) -> bool:
    """Two sightings in one sample whose hip centres are close enough to be one person."""
    size = max(a.height_px, b.height_px, 1.0)
    gap = np.hypot(a.centre_px[0] - b.centre_px[0], a.centre_px[1] - b.centre_px[1])
    return bool(gap <= within_heights * size)


def tiled_sightings(image_rgb: np.ndarray, t_s: float, find_one, scale: float,
                    far: FarSubjectConfig) -> list[Sighting]:
    """Everyone found in ``image_rgb`` as a whole and in each of its tiles, each person once,
    in pixels of the full frame (``find_one`` and ``scale`` as for ``sightings_in_frame``).
    A person seen in several tiles keeps the sighting farthest from a tile's inner edge."""
    h, w = image_rgb.shape[:2]
    candidates = [(np.inf, s) for s in sightings_in_frame(image_rgb, t_s, find_one, scale)]
    for tile in tile_boxes(w, h, far):
        x0, y0, x1, y1 = tile
        for sighting in sightings_in_frame(image_rgb[y0:y1, x0:x1], t_s, find_one, scale,
                                           far.tile_max_people, origin_px=(x0, y0)):
            box = np.array(sighting.box_px) / scale
            candidates.append((_inner_margin(box, tile, w, h), sighting))
    kept: list[Sighting] = []
    for _, sighting in sorted(candidates, key=lambda c: -c[0]):
        if not any(_same_person(sighting, k, far.same_person_heights) for k in kept):
            kept.append(sighting)
    return kept


def _main_track(tracks: list[Track]) -> Track | None:
    """The track ``choose_subject`` follows, else the person seen largest for longest (the
    one a pose pass over whole frames ends up measuring), None when nobody was seen."""
    chosen = choose_subject(tracks).track
    if chosen is not None:
        return chosen
    seen_twice = [t for t in tracks if len(t.sightings) >= 2] or tracks
    return max(seen_twice, key=lambda t: t.presence_px, default=None)


def _is_small(track: Track, width_px: int, height_px: int, far: FarSubjectConfig) -> bool:
    """The person's median shoulder-to-ankle length is a small share of the long side."""
    size = float(np.median([s.height_px for s in track.sightings]))
    return size < far.small_height_share * max(width_px, height_px)


def _seen_seldom(track: Track, samples: list[list[Sighting]], far: FarSubjectConfig) -> bool:
    """The person is missing from many samples, overall or while they are in view."""
    index = {id(s): k for k, sample in enumerate(samples) for s in sample}
    first, last = index[id(track.sightings[0])], index[id(track.sightings[-1])]
    seen = len(track.sightings)
    return (seen < far.min_seen_share * len(samples)
            or seen < far.min_seen_share_in_view * (last - first + 1))


def tiled_search_reason(samples: list[list[Sighting]], width_px: int, height_px: int,
                        far: FarSubjectConfig) -> str | None:
    """Why the scan's samples (whole frames) call for a search in tiles: "nobody" found,
    the subject "small" against the frame, or seen "seldom"; None when they do not."""
    if not far.enabled or not samples or not tile_boxes(width_px, height_px, far):
        return None
    main = _main_track(link_tracks(samples))
    if main is None:
        return "nobody"
    if _is_small(main, width_px, height_px, far):
        return "small"
    return "seldom" if _seen_seldom(main, samples, far) else None


def plan_after_tiles(tiled: list[list[Sighting]], width_px: int, height_px: int,
                     far: FarSubjectConfig) -> SubjectPlan:
    """The plan from samples searched in tiles: as ``choose_subject``, but a lone person
    small in the picture is followed in a crop too, since a pose pass over whole frames
    loses them (MediaPipe's tracker holds a larger person it found once, even one its
    detector seldom finds). A person seen in one sample of a video is taken for a false
    detection and not followed."""
    tracks = link_tracks(tiled)
    plan = choose_subject(tracks)
    main = _main_track(tracks)
    if plan.track is not None or main is None:
        return plan
    if len(main.sightings) < min(2, len(tiled)) or not _is_small(main, width_px, height_px,
                                                                  far):
        return plan
    first, last = main.sightings[0].t_s, main.sightings[-1].t_s
    when = f", from {first:.1f} s to {last:.1f} s" if last > first else ""
    return SubjectPlan(main, plan.people_seen, (
        "The person is small in the picture and was found by a search of its parts; the "
        f"analysis follows them{when}, in a crop around them."))


# --------------------------------------------------------------------------- the scan


class _Searcher:
    """MediaPipe graphs in photo mode, lent to the threads that search the scan's samples
    (photo mode keeps no state, so which graph searches a sample does not change what it
    finds). ``how`` is ``sightings_in_frame`` or a tiled search."""

    def __init__(self, stack: ExitStack, config: Config, width_px: int, graphs: int) -> None:
        self._stack = stack
        self._config = config
        self._width_px = width_px
        self._graphs = 0
        self._estimators: queue.Queue = queue.Queue()
        self.add_graphs(graphs)

    def add_graphs(self, graphs: int) -> None:
        """Make sure at least ``graphs`` graphs exist (each costs about 0.1 s to build)."""
        from .pose import PoseEstimator

        while self._graphs < graphs:
            self._estimators.put(self._stack.enter_context(
                PoseEstimator("image", self._config.pose)))
            self._graphs += 1

    def search(self, how: Callable[..., list[Sighting]], image: np.ndarray,
               t_s: float) -> list[Sighting]:
        """``how(image, t_s, find_one, scale)`` with a free graph."""
        estimator = self._estimators.get()

        def find_one(image: np.ndarray) -> np.ndarray | None:
            h, w = image.shape[:2]
            pose_frame = estimator.estimate(image, 0, 0.0, w, h)
            return pose_frame.xy_px if pose_frame.found else None

        try:
            return how(image, t_s, find_one, self._width_px / image.shape[1])
        finally:
            self._estimators.put(estimator)

    def search_all(self, frames: Iterable[Any], how: Callable[..., list[Sighting]],
                   workers: int, out: list[list[Sighting]]) -> None:
        """Search every frame with ``workers`` threads, appending to ``out`` in order."""
        self.add_graphs(workers)
        with ThreadPoolExecutor(workers) as pool:
            pending: deque = deque()
            for frame in frames:
                pending.append(pool.submit(self.search, how, frame.image_rgb, frame.t_s))
                while len(pending) > workers:  # in order, with few frames waiting
                    out.append(pending.popleft().result())
            while pending:
                out.append(pending.popleft().result())


def _keyframe_samples(frames: Iterable[Any], spacing_s: float) -> Iterator[Any]:
    """Keyframes no closer together than about ``spacing_s``."""
    next_t_s = -np.inf
    for frame in frames:
        if frame.t_s >= next_t_s:
            next_t_s = frame.t_s + 0.9 * spacing_s
            yield frame


def _sampled_frames(stack: ExitStack, path: Any, config: Config, times: SampleTimes,
                    duration_s: float, frames: Iterable[Any] | None) -> Iterator[Any]:
    """The scan's samples, in order: taken from ``frames`` when given (every frame of the
    clip, in order), else decoded from ``path`` in a thread, where a clip over 30 s whose
    keyframes come at least as often as the samples has only its keyframes decoded."""
    from .source import open_media, prefetch

    if frames is not None:
        return (frame for frame in frames if times.take(frame.t_s) and frame.image_rgb.size)
    max_side = config.pose.inference_max_side_px
    media = stack.enter_context(open_media(
        path, max_side_px=max_side, max_duration_s=config.max_duration_s))
    # Decoding every frame of a long clip costs more than searching the samples; keyframes
    # alone are nearly free to decode and serve as samples when close enough together.
    spacing_s = times.spacing_s
    gap_s = media.max_keyframe_gap_s() if duration_s > 30 else None
    keyframes_only = gap_s is not None and gap_s <= 1.5 * spacing_s
    # Frames that are not samples are decoded but not converted.
    # (closed before the media: the decoder thread stops first)
    decoded = stack.enter_context(closing(prefetch(media.frames(
        max_side_px=max_side, keyframes_only=keyframes_only,
        convert_if=None if keyframes_only else times.take))))
    if keyframes_only:
        return _keyframe_samples(decoded, spacing_s)
    return (frame for frame in decoded if frame.image_rgb.size)


def scan_for_subject(path, info, config, frames=None, samples=None,
                     crop_likely: threading.Event | None = None) -> SubjectPlan:
    """Sample a video file about twice a second and plan whom the pose pass follows.

    ``frames``: the clip's frames already decoded at the inference size, in order (the
    pipeline decodes short clips once for both passes); samples are taken from them
    instead of decoding the file again. Without them the file is decoded in a thread
    while the samples are searched, and a long clip whose keyframes come at least as often
    as the samples has only its keyframes decoded. ``samples``: a list that receives each
    sample's sightings (the pipeline reads how much the subject moves from them).
    Clips with many samples are searched by two MediaPipe graphs side by side.

    When the samples show nobody, or the subject small or seldom (``tiled_search_reason``),
    the file is sampled again and each sample searched in tiles too; ``samples`` then holds
    what that search found, and ``crop_likely`` is set when it begins for nobody or a small
    subject (a pose pass over whole frames beside the scan is then most likely wasted). A
    photo (``info.kind`` "image") is planned by ``scan_photo``.
    """
    if info.kind != "video":
        return scan_photo(path, info, config, frames)
    fps = info.fps or 30.0
    duration = info.duration_s or ((info.frame_count or 0) / fps)
    n_samples = int(min(40, max(4, duration * 2)))
    every_nth = max(1, int(round((info.frame_count or fps * duration) / n_samples)))
    expected_s = duration if duration > 0 else None

    def sample_times() -> SampleTimes:
        return SampleTimes(every_nth / fps, fps, expected_s)

    samples = [] if samples is None else samples
    far = config.far_subject
    workers = 2 if n_samples >= 8 or expected_s is None else 1
    with ExitStack() as stack:
        searcher = _Searcher(stack, config, info.width_px, workers)
        searcher.search_all(_sampled_frames(stack, path, config, sample_times(), duration,
                                            frames), sightings_in_frame, workers, samples)
        reason = tiled_search_reason(samples, info.width_px, info.height_px, far)
        if reason is None:
            return choose_subject(link_tracks(samples))
        if crop_likely is not None and reason != "seldom":
            crop_likely.set()
        tiled: list[list[Sighting]] = []
        searcher.search_all(_sampled_frames(stack, path, config, sample_times(), duration,
                                            None), _tiled_search(far), 2, tiled)
    samples[:] = tiled
    return plan_after_tiles(tiled, info.width_px, info.height_px, far)


def _tiled_search(far: FarSubjectConfig) -> Callable[..., list[Sighting]]:
    """``tiled_sightings`` with the tiles of ``far``, called as ``sightings_in_frame`` is."""
    def how(image: np.ndarray, t_s: float, find_one, scale: float) -> list[Sighting]:
        return tiled_sightings(image, t_s, find_one, scale, far)

    return how


def scan_photo(path: Any, info: Any, config: Config,
               frames: Iterable[Any] | None = None) -> SubjectPlan:
    """Plan the pose pass over a photo: the whole picture (``track`` None), unless the
    person in it is small (found in the whole picture or only in tiles), who is then
    followed in a crop.

    ``frames``: the photo already decoded at the inference size (a one-frame iterable,
    read to its end); else it is read from ``path``.
    """
    from .source import open_media

    far = config.far_subject
    one_photo = SubjectPlan(None, 1, "One photo.")
    nobody = SubjectPlan(None, 0, "No person was found in the scan.")
    if not far.enabled or not tile_boxes(info.width_px, info.height_px, far):
        return one_photo  # nothing to search for beyond what the pose pass sees
    with ExitStack() as stack:
        if frames is None:
            frames = stack.enter_context(open_media(
                path, max_side_px=config.pose.inference_max_side_px))
        decoded = list(frames)
        if not decoded:
            return nobody
        image = decoded[0].image_rgb
        searcher = _Searcher(stack, config, info.width_px, 1)
        whole = [searcher.search(_first_person, image, 0.0)]
        if tiled_search_reason(whole, info.width_px, info.height_px, far) is None:
            return one_photo
        tiled = [searcher.search(_tiled_search(far), image, 0.0)]
    plan = plan_after_tiles(tiled, info.width_px, info.height_px, far)
    if plan.track is not None:
        return plan
    return one_photo if any(whole + tiled) else nobody


def _first_person(image: np.ndarray, t_s: float, find_one, scale: float) -> list[Sighting]:
    """The one person MediaPipe finds first, as the pose pass over a photo does."""
    return sightings_in_frame(image, t_s, find_one, scale, max_people=1)
