"""Anny body: posing bone by bone and measuring the truth on the posed body.

World frame of the Anny model (metres): +X is the subject's LEFT, +Y points BACKWARD (the
subject faces -Y), +Z is up. The floor is z = 0 after `place_on_floor`.

Pose deltas use Anny's default "local-ref" parameterisation: each bone's delta is a rotation
in world-aligned axes about the bone's head, composed down the chain. So, for a leg hanging
down, a positive rotation about +X swings its lower end BACKWARD.

The truth is measured on the posed body, never taken from the commanded rotations: the
anatomical keypoints (hips, knees, ankles, shoulders, heels, toes) come from Anny's COCO
keypoint regressor applied to the posed mesh, i.e. visual joint centres, which is what a
pose estimator is trained to find. The rig's bone heads are also reported (`*_rig_deg`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# Heavy imports (torch, anny, roma) are deferred to `BodyModel` so that importing this
# module for its pure geometry functions stays cheap.


def rot_x(deg: float) -> np.ndarray:
    """Rotation about +X (lateral axis); positive swings a hanging segment backward."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[1, 0, 0], [0, c, -s], [0, s, c]], dtype=np.float64)


def rot_y(deg: float) -> np.ndarray:
    """Rotation about +Y (antero-posterior axis); positive lowers the subject's left side."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]], dtype=np.float64)


def rot_z(deg: float) -> np.ndarray:
    """Rotation about +Z (vertical axis); positive turns the subject's face toward +X."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]], dtype=np.float64)


# ---------------------------------------------------------------- truth geometry (pure)

COCO = [
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder",
    "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip",
    "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "left_big_toe",
    "right_big_toe", "left_small_toe", "right_small_toe", "left_heel", "right_heel",
]


def _kp(points: np.ndarray, name: str) -> np.ndarray:
    return points[COCO.index(name)]


def signed_knee_flexion_deg(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> float:
    """Knee flexion in the sagittal (Y-Z) plane: 180 - angle(hip, knee, ankle).

    Negative (hyperextension) when the knee lies BEHIND the hip-ankle line, anterior being -Y.

    >>> signed_knee_flexion_deg(np.array([0, 0, 1.0]), np.array([0, 0, 0.5]), np.zeros(3))
    0.0
    """
    h, k, a = hip[1:], knee[1:], ankle[1:]
    u, v = h - k, a - k
    cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v)))
    flex = 180.0 - math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    line, off = a - h, k - h
    cross = line[0] * off[1] - line[1] * off[0]
    # cross < 0 <=> knee anterior (toward -Y) of the hip-ankle line.
    return flex if cross <= 0 else -flex


def trunk_inclination_deg(points: np.ndarray) -> float:
    """Hip-mid -> shoulder-mid line from vertical in the sagittal plane, backward positive."""
    hip = (_kp(points, "left_hip") + _kp(points, "right_hip")) / 2
    sho = (_kp(points, "left_shoulder") + _kp(points, "right_shoulder")) / 2
    v = sho - hip
    return math.degrees(math.atan2(v[1], v[2]))


def pelvic_obliquity_deg(points: np.ndarray) -> float:
    """Frontal-plane tilt of the hip line, positive when the subject's LEFT hip is higher."""
    left, right = _kp(points, "left_hip"), _kp(points, "right_hip")
    return math.degrees(math.atan2(left[2] - right[2], left[0] - right[0]))


def load_share_right_pct(points: np.ndarray) -> float:
    """Hip midpoint between the ankles along X: 0 = over the left ankle, 100 = over the right."""
    hip_x = (_kp(points, "left_hip")[0] + _kp(points, "right_hip")[0]) / 2
    la, ra = _kp(points, "left_ankle")[0], _kp(points, "right_ankle")[0]
    return 100.0 * (la - hip_x) / (la - ra)


def weight_leg(share_right_pct: float, threshold_pct: float = 59.0) -> str | None:
    """Which leg carries the weight, by the engine's load-share threshold."""
    if share_right_pct >= threshold_pct:
        return "right"
    if share_right_pct <= 100.0 - threshold_pct:
        return "left"
    return None


def hips_forward_of_ankles_m(points: np.ndarray) -> float:
    """How far the hip midpoint lies in front of the ankle midpoint (metres, +anterior)."""
    hip_y = (_kp(points, "left_hip")[1] + _kp(points, "right_hip")[1]) / 2
    ank_y = (_kp(points, "left_ankle")[1] + _kp(points, "right_ankle")[1]) / 2
    return float(ank_y - hip_y)


def centre_of_mass(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Volume centroid of a closed mesh (uniform density), from signed tetrahedra.

    >>> import itertools
    >>> cube = np.array(list(itertools.product((0.0, 2.0), repeat=3)))
    >>> faces = np.array([[0, 2, 1], [1, 2, 3], [4, 5, 6], [5, 7, 6], [0, 1, 4], [1, 5, 4],
    ...                   [2, 6, 3], [3, 6, 7], [0, 4, 2], [2, 4, 6], [1, 3, 5], [3, 7, 5]])
    >>> centre_of_mass(cube, faces).round(6).tolist()
    [1.0, 1.0, 1.0]
    """
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    volume = np.einsum("ij,ij->i", a, np.cross(b, c)) / 6.0
    return (volume[:, None] * (a + b + c) / 4.0).sum(0) / volume.sum()


def measure_truth(points: np.ndarray, rig: dict[str, np.ndarray] | None = None) -> dict:
    """All truth values of one posed body, from its keypoints (and rig joints if given)."""
    truth = {}
    for side in ("left", "right"):
        truth[f"knee_flexion_{side}_deg"] = signed_knee_flexion_deg(
            _kp(points, f"{side}_hip"), _kp(points, f"{side}_knee"), _kp(points, f"{side}_ankle")
        )
    truth["trunk_inclination_deg"] = trunk_inclination_deg(points)
    truth["pelvic_obliquity_deg"] = pelvic_obliquity_deg(points)
    share = load_share_right_pct(points)
    truth["load_share_right_pct"] = share
    truth["weight_leg"] = weight_leg(share)
    truth["hips_forward_of_ankles_m"] = hips_forward_of_ankles_m(points)
    if rig is not None:
        for side, s in (("left", "L"), ("right", "R")):
            truth[f"knee_flexion_{side}_rig_deg"] = signed_knee_flexion_deg(
                rig[f"upperleg01.{s}"], rig[f"lowerleg01.{s}"], rig[f"foot.{s}"]
            )
    return truth


# ---------------------------------------------------------------- the body model


@dataclass(frozen=True)
class BodyShape:
    """Anny phenotype (each 0..1) plus skin and clothing for rendering."""

    name: str
    gender: float  # 0 = male, 1 = female
    age: float  # 2/3 = young adult, 1 = old
    weight: float
    height: float
    muscle: float = 0.5
    proportions: float = 0.5
    skin_rgb: tuple[int, int, int] = (224, 172, 140)
    shirt_rgb: tuple[int, int, int] = (40, 90, 160)
    shorts_rgb: tuple[int, int, int] = (50, 50, 60)
    shoe_rgb: tuple[int, int, int] = (30, 30, 30)
    hair_rgb: tuple[int, int, int] = (60, 40, 25)
    long_trousers: bool = False
    description: str = ""
    loose_trousers: bool = False  # long and wide: the legs' outline hides the knee
    arm_hang_deg: float = 40.0  # arms from Anny's A-pose down; less for a wide trunk

    @property
    def clothing(self) -> str:
        if self.loose_trousers:
            return "loose_trousers"
        return "long_trousers" if self.long_trousers else "shorts"

    def phenotype(self) -> dict[str, float]:
        return {
            "gender": self.gender, "age": self.age, "weight": self.weight,
            "height": self.height, "muscle": self.muscle, "proportions": self.proportions,
        }


@dataclass
class Posed:
    """One or more posed frames: vertices (B, V, 3), keypoints (B, 23, 3), rig joints."""

    vertices: np.ndarray
    keypoints: np.ndarray
    rig: list[dict[str, np.ndarray]]
    foot_vertex_mask: dict[str, np.ndarray] = field(default_factory=dict)

    def truth(self, i: int = 0) -> dict:
        return measure_truth(self.keypoints[i], self.rig[i])


_RIG_JOINTS = [
    "upperleg01.L", "lowerleg01.L", "foot.L", "upperleg01.R", "lowerleg01.R", "foot.R",
]


class BodyModel:
    """Thin wrapper around `anny.Anny` (built once, ~1 min the first time, then cached)."""

    def __init__(self) -> None:
        import anny
        import torch

        torch.set_grad_enabled(False)
        self._torch = torch
        self.model = anny.Anny()
        self.keypoints = anny.KeypointsRegressor.coco(self.model, labels=COCO)
        self.labels: list[str] = list(self.model.bone_labels)
        self.faces = self.model.get_triangular_faces().numpy()
        weights = self.model.vertex_bone_weights.numpy()
        indices = self.model.vertex_bone_indices.numpy()
        dominant = indices[np.arange(len(indices)), weights.argmax(1)]
        self.vertex_bone = np.array(self.labels)[dominant]
        self.foot_mask = {
            side: np.array([b.startswith(("foot.", "toe")) and b.endswith(s) for b in
                            self.vertex_bone])
            for side, s in (("left", ".L"), ("right", ".R"))
        }

    def pose(self, shape: BodyShape, deltas: list[dict[str, np.ndarray]],
             root_translation: np.ndarray | None = None) -> Posed:
        """Pose B frames. Each delta dict maps a bone label to a 3x3 rotation (world axes)."""
        torch = self._torch
        batch = len(deltas)
        eye = torch.eye(4, dtype=torch.float64)
        tensor = eye.repeat(batch, len(self.labels), 1, 1)
        for b, frame in enumerate(deltas):
            for bone, rot in frame.items():
                tensor[b, self.labels.index(bone), :3, :3] = torch.from_numpy(rot)
        if root_translation is not None:
            tensor[:, 0, :3, 3] = torch.from_numpy(np.asarray(root_translation, np.float64))
        out = self.model(pose_parameters=tensor, phenotype_kwargs=shape.phenotype())
        verts = out["vertices"].numpy().copy()
        kps = self.keypoints(out).numpy().copy()
        heads = out["bone_poses"].numpy()[:, :, :3, 3]
        rig = [{j: heads[b, self.labels.index(j)].copy() for j in _RIG_JOINTS}
               for b in range(batch)]
        return Posed(verts, kps, rig, self.foot_mask)

    def vertex_colours(self, shape: BodyShape, vertices: np.ndarray) -> np.ndarray:
        """Skin, shirt, shorts or trousers, shoes and hair by each vertex's dominant bone."""
        col = np.tile(np.array([*shape.skin_rgb, 255], np.uint8), (len(self.vertex_bone), 1))
        b = self.vertex_bone
        shirt = np.zeros(len(b), bool)
        for prefix in ("spine", "clavicle", "shoulder", "upperarm01"):
            shirt |= np.char.startswith(b, prefix)
        lower = np.zeros(len(b), bool)
        lower_bones = ["root", "pelvis", "upperleg"]
        if shape.long_trousers or shape.loose_trousers:
            lower_bones.append("lowerleg")
        for prefix in lower_bones:
            lower |= np.char.startswith(b, prefix)
        feet = np.char.startswith(b, "foot") | np.char.startswith(b, "toe")
        col[shirt, :3] = shape.shirt_rgb
        col[lower, :3] = shape.shorts_rgb
        col[feet, :3] = shape.shoe_rgb
        # Hair: the upper back of the head (above the ears, behind the face).
        head = np.char.startswith(b, "head")
        if head.any():
            hv = vertices[head]
            z_cut = np.quantile(hv[:, 2], 0.55)
            y_cut = np.quantile(hv[:, 1], 0.35)
            hair = head & (vertices[:, 2] > z_cut) & (vertices[:, 1] > y_cut)
            hair |= head & (vertices[:, 2] > np.quantile(hv[:, 2], 0.85))
            col[hair, :3] = shape.hair_rgb
        return col


def place_on_floor(posed: Posed, x: float = 0.0, y: float = 0.0) -> None:
    """Shift every frame so its lowest vertex touches z = 0 (in place); x/y offset added."""
    for b in range(len(posed.vertices)):
        dz = -posed.vertices[b, :, 2].min()
        shift = np.array([x, y, dz])
        posed.vertices[b] += shift
        posed.keypoints[b] += shift
        for j in posed.rig[b]:
            posed.rig[b][j] = posed.rig[b][j] + shift
