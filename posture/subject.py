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


def select_subject(xy_px: np.ndarray, quality: QualityConfig) -> SubjectSelection:
    """Frames of the main subject in a (N, 33, 2) landmark sequence (NaN = no person)."""
    found = np.isfinite(xy_px).all(axis=(1, 2))
    keep = np.zeros(len(xy_px), dtype=bool)
    if not found.any():
        return SubjectSelection(keep, 0, 0, "No person was found.")
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
            if np.linalg.norm(hips[edge_next] - hips[edge_prev]) <= allowed:
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
    return SubjectSelection(keep, len(tracks), dropped, method)
