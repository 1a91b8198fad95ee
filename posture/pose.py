"""Stage 2: MediaPipe Pose on each frame -> a ``PoseSequence`` (33 landmarks per frame).

The built-in model is ``mp.solutions.pose`` with the "full" network shipped inside the
``mediapipe==0.10.21`` wheel, in tracking mode for video and live frames and static mode for
photos. A PoseLandmarker ``.task`` file may be given instead (Tasks API of the same package).
Nothing is ever downloaded.

Landmarks are stored in pixels of the upright source frame, whatever size the frame was
shrunk to for inference: MediaPipe's normalized coordinates do not depend on the scale.
"""

from __future__ import annotations

import importlib
import os
import sys
import types
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import PoseConfig
from .errors import InputError
from .landmarks import N_LANDMARKS


@dataclass
class PoseFrame:
    """One frame's landmarks, or ``xy_px`` all NaN when no person was found."""

    frame_index: int
    t_s: float
    xy_px: np.ndarray  # (33, 2) pixels in the upright source frame
    depth_px: np.ndarray  # (33,) MediaPipe's relative depth, scaled like x
    visibility: np.ndarray  # (33,) 0..1
    world_m: np.ndarray  # (33, 3) metres, origin between the hips

    @property
    def found(self) -> bool:
        return bool(np.isfinite(self.xy_px).all())


@dataclass
class PoseSequence:
    """Landmarks of every analysed frame, stacked. Frames with no person hold NaN."""

    frame_index: np.ndarray  # (N,) int
    t_s: np.ndarray  # (N,) seconds
    xy_px: np.ndarray  # (N, 33, 2)
    depth_px: np.ndarray  # (N, 33)
    visibility: np.ndarray  # (N, 33); 0 where no person
    world_m: np.ndarray  # (N, 33, 3)
    width_px: int
    height_px: int
    kind: str  # "video" | "image" | "live"

    def __len__(self) -> int:
        return len(self.t_s)

    @property
    def found(self) -> np.ndarray:
        """(N,) bool: a person was found in the frame."""
        return np.isfinite(self.xy_px).all(axis=(1, 2))

    @classmethod
    def from_frames(
        cls, frames: list[PoseFrame], width_px: int, height_px: int, kind: str
    ) -> PoseSequence:
        n = len(frames)
        if n == 0:
            return cls(
                frame_index=np.zeros(0, int), t_s=np.zeros(0),
                xy_px=np.zeros((0, N_LANDMARKS, 2)), depth_px=np.zeros((0, N_LANDMARKS)),
                visibility=np.zeros((0, N_LANDMARKS)), world_m=np.zeros((0, N_LANDMARKS, 3)),
                width_px=width_px, height_px=height_px, kind=kind,
            )
        return cls(
            frame_index=np.array([f.frame_index for f in frames], dtype=int),
            t_s=np.array([f.t_s for f in frames], dtype=float),
            xy_px=np.stack([f.xy_px for f in frames]),
            depth_px=np.stack([f.depth_px for f in frames]),
            visibility=np.stack([f.visibility for f in frames]),
            world_m=np.stack([f.world_m for f in frames]),
            width_px=width_px, height_px=height_px, kind=kind,
        )

    def select(self, mask: np.ndarray) -> PoseSequence:
        """A copy holding only the frames where ``mask`` is true."""
        return PoseSequence(
            self.frame_index[mask], self.t_s[mask], self.xy_px[mask], self.depth_px[mask],
            self.visibility[mask], self.world_m[mask], self.width_px, self.height_px, self.kind,
        )


class _LoadedOnUse(types.ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; the first attribute read
    imports the real one (which then replaces it there) and answers from it."""

    def __getattr__(self, name: str):
        for module_name in [m for m, mod in sys.modules.items() if isinstance(mod, _LoadedOnUse)]:
            del sys.modules[module_name]
        return getattr(importlib.import_module(self.__name__), name)


def import_mediapipe():
    """``import mediapipe``, without importing matplotlib yet: MediaPipe's drawing helpers
    import ``matplotlib.pyplot`` at import time (0.23 of its 0.43 s), which the engine never
    uses. Until something reads from it, matplotlib is a stand-in that imports the real
    one on first use, so code that does use it works as before."""
    if "mediapipe" not in sys.modules and "matplotlib" not in sys.modules:
        package = _LoadedOnUse("matplotlib")
        package.pyplot = _LoadedOnUse("matplotlib.pyplot")
        sys.modules["matplotlib"] = package
        sys.modules["matplotlib.pyplot"] = package.pyplot
    import mediapipe

    return mediapipe


def _empty_frame(frame_index: int, t_s: float) -> PoseFrame:
    nan = np.full((N_LANDMARKS, 2), np.nan)
    return PoseFrame(
        frame_index, t_s, nan, np.full(N_LANDMARKS, np.nan), np.zeros(N_LANDMARKS),
        np.full((N_LANDMARKS, 3), np.nan),
    )


def _to_arrays(landmarks, world, width_px: int, height_px: int, index: int, t_s: float):
    """Convert MediaPipe landmark lists (either API) to a PoseFrame."""
    norm = np.array([(p.x, p.y, p.z) for p in landmarks], dtype=float)
    # The Tasks API reports visibility as well; older results may leave it unset (0).
    vis = np.array([getattr(p, "visibility", 1.0) or 0.0 for p in landmarks], dtype=float)
    xy = norm[:, :2] * (width_px, height_px)
    depth = norm[:, 2] * width_px
    world_m = (
        np.array([(p.x, p.y, p.z) for p in world], dtype=float)
        if world is not None
        else np.full((N_LANDMARKS, 3), np.nan)
    )
    return PoseFrame(index, t_s, xy, depth, vis, world_m)


class PoseEstimator:
    """MediaPipe Pose, one frame at a time. Use as a context manager.

    ``mode`` is ``"video"`` (tracking between frames), ``"live"`` (tracking, frames from a
    camera) or ``"image"`` (every frame on its own).

    >>> with PoseEstimator("image") as estimator:  # doctest: +SKIP
    ...     pose_frame = estimator.estimate(frame.image_rgb, 0, 0.0, 1000, 667)
    """

    def __init__(self, mode: str = "video", config: PoseConfig | None = None) -> None:
        self.mode = mode
        self.config = config or PoseConfig()
        self._solution = None
        self._landmarker = None
        self._last_timestamp_ms = -1

    def __enter__(self) -> PoseEstimator:
        # Imported here: mediapipe takes ~1 s to import and the CLI's error paths should not.
        mp = import_mediapipe()

        if self.config.task_model_path:
            self._landmarker = _open_task_model(mp, self.config, self.mode)
        else:
            self._solution = mp.solutions.pose.Pose(
                static_image_mode=self.mode == "image",
                model_complexity=self.config.model_complexity,
                smooth_landmarks=self.mode != "image",
                enable_segmentation=False,
                min_detection_confidence=self.config.min_detection_confidence,
                min_tracking_confidence=self.config.min_tracking_confidence,
            )
        return self

    def __exit__(self, *exc) -> None:
        for closable in (self._solution, self._landmarker):
            if closable is not None:
                closable.close()
        self._solution = self._landmarker = None

    def estimate(
        self, image_rgb: np.ndarray, frame_index: int, t_s: float, width_px: int, height_px: int
    ) -> PoseFrame:
        """Landmarks of one (possibly shrunk) RGB frame, in pixels of a ``width_px`` x
        ``height_px`` frame."""
        image_rgb = np.ascontiguousarray(image_rgb)
        if self._landmarker is not None:
            return self._estimate_task(image_rgb, frame_index, t_s, width_px, height_px)
        result = self._solution.process(image_rgb)
        if result.pose_landmarks is None:
            return _empty_frame(frame_index, t_s)
        world = result.pose_world_landmarks.landmark if result.pose_world_landmarks else None
        return _to_arrays(
            result.pose_landmarks.landmark, world, width_px, height_px, frame_index, t_s
        )

    def _estimate_task(self, image_rgb, frame_index, t_s, width_px, height_px) -> PoseFrame:
        mp = import_mediapipe()

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=image_rgb)
        if self.mode == "image":
            result = self._landmarker.detect(image)
        else:
            # The Tasks API wants strictly increasing integer milliseconds.
            timestamp_ms = max(int(round(t_s * 1000)), self._last_timestamp_ms + 1)
            self._last_timestamp_ms = timestamp_ms
            result = self._landmarker.detect_for_video(image, timestamp_ms)
        if not result.pose_landmarks:
            return _empty_frame(frame_index, t_s)
        world = result.pose_world_landmarks[0] if result.pose_world_landmarks else None
        return _to_arrays(result.pose_landmarks[0], world, width_px, height_px, frame_index, t_s)


def _open_task_model(mp, config: PoseConfig, mode: str):
    path = Path(config.task_model_path or "")
    if not path.is_file():
        raise InputError(f"Pose model file not found: {path}.")
    if path.suffix != ".task":
        raise InputError(f"{path.name} is not a PoseLandmarker .task file.")
    vision = mp.tasks.vision
    options = vision.PoseLandmarkerOptions(
        base_options=mp.tasks.BaseOptions(model_asset_path=os.fspath(path)),
        running_mode=vision.RunningMode.IMAGE if mode == "image" else vision.RunningMode.VIDEO,
        num_poses=1,
        min_pose_detection_confidence=config.min_detection_confidence,
        min_tracking_confidence=config.min_tracking_confidence,
    )
    try:
        return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError) as err:
        raise InputError(f"{path.name} could not be loaded as a pose model ({err}).") from None


@dataclass
class PreparedFrame:
    """One frame as MediaPipe will see it: the whole picture or the subject's crop, already
    shrunk; plain data, so it can be sent to a worker process (``posture.parallel``)."""

    frame_index: int
    t_s: float
    image_rgb: np.ndarray | None  # None: the subject is not in view, nothing to estimate
    width_px: int  # landmarks are given in pixels of a box this large ...
    height_px: int
    origin_px: tuple[int, int] = (0, 0)  # ... that starts here in the upright frame
    # Where to look again, frame by frame, if MediaPipe finds nobody in this whole frame
    # (``SubjectPlan.retry_box``); None: no second look.
    retry_box_px: tuple[int, int, int, int] | None = None


Box = tuple[int, int, int, int]


def _cropped(index: int, t_s: float, image: np.ndarray, width_px: int, box: Box,
             config: PoseConfig) -> PreparedFrame:
    """``box`` (pixels of a ``width_px`` wide frame) cut out of ``image`` and shrunk."""
    import cv2

    scale = image.shape[1] / width_px
    x0, y0, x1, y1 = (int(round(v * scale)) for v in box)
    crop = image[y0:y1, x0:x1]
    longest = max(crop.shape[:2])
    if longest > config.inference_max_side_px:
        factor = config.inference_max_side_px / longest
        crop = cv2.resize(crop, (max(1, int(crop.shape[1] * factor)),
                                 max(1, int(crop.shape[0] * factor))),
                          interpolation=cv2.INTER_AREA)
    return PreparedFrame(index, t_s, crop, box[2] - box[0], box[3] - box[1], (box[0], box[1]))


def prepare_frame(
    frame, width_px: int, height_px: int, config: PoseConfig,
    crop_for: Callable[[float], Box | None] | None = None,
    retry_for: Callable[[float], Box | None] | None = None,
) -> PreparedFrame:
    """What MediaPipe is shown of ``frame`` (a ``posture.source.Frame`` of a ``width_px`` x
    ``height_px`` picture, possibly shrunk): see :func:`estimate_poses`."""
    if crop_for is None:
        retry = retry_for(frame.t_s) if retry_for is not None else None
        return PreparedFrame(frame.index, frame.t_s, frame.image_rgb, width_px, height_px,
                             retry_box_px=retry)
    box = crop_for(frame.t_s)
    if box is None:
        return PreparedFrame(frame.index, frame.t_s, None, width_px, height_px)
    return _cropped(frame.index, frame.t_s, frame.image_rgb, width_px, box, config)


def estimate_prepared(estimator: PoseEstimator, prepared: PreparedFrame,
                      retry_estimator: Callable[[], PoseEstimator] | None = None) -> PoseFrame:
    """Landmarks of one prepared frame, in pixels of the upright source frame.

    ``retry_estimator`` gives a frame-by-frame ("image") estimator for the second look at
    ``prepared.retry_box_px`` when the whole frame shows nobody."""
    if prepared.image_rgb is None:
        return _empty_frame(prepared.frame_index, prepared.t_s)
    pose_frame = estimator.estimate(prepared.image_rgb, prepared.frame_index, prepared.t_s,
                                    prepared.width_px, prepared.height_px)
    if prepared.origin_px != (0, 0):
        pose_frame.xy_px += prepared.origin_px
    if (not pose_frame.found and prepared.retry_box_px is not None
            and retry_estimator is not None):
        crop = _cropped(prepared.frame_index, prepared.t_s, prepared.image_rgb,
                        prepared.width_px, prepared.retry_box_px, estimator.config)
        again = estimate_prepared(retry_estimator(), crop)
        if again.found:
            return again
    return pose_frame


class RetryEstimator:
    """The frame-by-frame estimator for second looks, built on first use (most videos
    never need one) and closed with the pass: ``with RetryEstimator(config) as retry``,
    then ``estimate_prepared(estimator, prepared, retry)``."""

    def __init__(self, config: PoseConfig) -> None:
        self._config = config
        self._estimator: PoseEstimator | None = None

    def __call__(self) -> PoseEstimator:
        if self._estimator is None:
            self._estimator = PoseEstimator("image", self._config).__enter__()
        return self._estimator

    def __enter__(self) -> RetryEstimator:
        return self

    def __exit__(self, *exc) -> None:
        if self._estimator is not None:
            self._estimator.__exit__(*exc)
            self._estimator = None


def estimate_poses(
    frames: Iterable,
    mode: str,
    width_px: int,
    height_px: int,
    config: PoseConfig | None = None,
    crop_for: Callable[[float], Box | None] | None = None,
    retry_for: Callable[[float], Box | None] | None = None,
) -> Iterator[PoseFrame]:
    """Run the estimator over ``posture.source.Frame`` objects, yielding one PoseFrame each.

    ``crop_for(t_s)`` (optional) gives the box (x0, y0, x1, y1, pixels of a ``width_px`` x
    ``height_px`` frame) that holds the subject at that time, or None when they are not in
    view; only that box is shown to MediaPipe, so it cannot follow anyone else.
    ``retry_for(t_s)`` (optional, whole frames only) gives where to look again, frame by
    frame, when MediaPipe finds nobody in the whole frame.
    """
    config = config or PoseConfig()
    with PoseEstimator(mode, config) as estimator, RetryEstimator(config) as retry:
        for frame in frames:
            yield estimate_prepared(estimator, prepare_frame(
                frame, width_px, height_px, config, crop_for, retry_for), retry)
