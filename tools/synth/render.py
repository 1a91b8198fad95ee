"""Offscreen rendering with pyrender + OSMesa (CPU), and procedural backgrounds.

PYOPENGL_PLATFORM must be "osmesa" before pyrender is imported; `Renderer` sets it.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class CameraSpec:
    """A pinhole camera placed relative to the subject."""

    view: str  # "side_left" | "side_right" | "front"
    distance_m: float
    height_m: float
    yfov_deg: float
    width_px: int
    height_px: int
    aim_height_frac: float = 0.5  # look-at point as a fraction of body height
    # Phone-camera conditions (0 = the committed fixtures' square-on, level camera):
    off_axis_deg: float = 0.0  # side: + toward the subject's front; front: + toward its left
    roll_deg: float = 0.0  # about the optical axis; + = horizontals turn counter-clockwise

    def to_dict(self) -> dict:
        d = asdict(self)
        d["focal_px"] = self.focal_px
        return d

    @property
    def focal_px(self) -> float:
        return self.height_px / 2 / math.tan(math.radians(self.yfov_deg) / 2)


@dataclass(frozen=True)
class SceneStyle:
    """Light and background."""

    light_intensity: float = 3.0
    light_azimuth_deg: float = 30.0  # relative to the camera direction
    light_elevation_deg: float = 45.0
    ambient: float = 0.3
    wall_rgb: tuple[int, int, int] = (200, 200, 190)
    floor_rgb: tuple[int, int, int] = (150, 130, 110)
    wall_pattern: str = "plain"  # plain | gradient | stripes | tiles | noise
    pattern_seed: int = 0


def look_at(eye: np.ndarray, target: np.ndarray, up=(0.0, 0.0, 1.0)) -> np.ndarray:
    """Camera-to-world pose for pyrender (camera looks down its -Z, +Y up)."""
    eye = np.asarray(eye, float)
    f = np.asarray(target, float) - eye
    f /= np.linalg.norm(f)
    r = np.cross(f, up)
    r /= np.linalg.norm(r)
    u = np.cross(r, f)
    pose = np.eye(4)
    pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = r, u, -f, eye
    return pose


def view_direction(view: str, off_axis_deg: float = 0.0) -> tuple[float, float]:
    """Horizontal unit vector from the subject toward the camera.

    Off axis, the camera moves round the subject: for a side view toward the subject's front
    (-Y), for a front view toward the subject's left (+X).

    >>> view_direction("side_left", 90.0) == (0.0, -1.0)
    True
    """
    direction = {"side_left": (1, 0), "side_right": (-1, 0), "front": (0, -1),
                 "back": (0, 1)}[view]
    if off_axis_deg == 0.0:
        return direction
    a = math.radians(off_axis_deg)
    if view == "front":
        return (round(math.sin(a), 12), round(-math.cos(a), 12))
    return (round(direction[0] * math.cos(a), 12), round(-math.sin(a), 12))


def camera_eye(view: str, distance_m: float, height_m: float, centre: np.ndarray,
               off_axis_deg: float = 0.0) -> np.ndarray:
    """Camera position: side_left sees the subject's left (+X), front faces the subject (-Y)."""
    direction = view_direction(view, off_axis_deg)
    return np.array([centre[0] + direction[0] * distance_m,
                     centre[1] + direction[1] * distance_m, height_m])


def camera_pose(camera: CameraSpec, centre: np.ndarray, body_height_m: float) -> np.ndarray:
    """Camera-to-world pose: aimed at the body (or the middle of the walk), then rolled."""
    eye = camera_eye(camera.view, camera.distance_m, camera.height_m, centre,
                     camera.off_axis_deg)
    target = np.array([centre[0], centre[1], camera.aim_height_frac * body_height_m])
    pose = look_at(eye, target)
    if camera.roll_deg:
        # Turning the camera clockwise (as its user sees it) by r turns the picture's
        # content counter-clockwise by r: rotate the camera frame about its +Z by -r.
        a = math.radians(-camera.roll_deg)
        c, s = math.cos(a), math.sin(a)
        pose[:3, :3] = pose[:3, :3] @ np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    return pose


def wall_texture(style: SceneStyle, width: int, height: int) -> np.ndarray:
    """A procedural background image (H, W, 3) uint8."""
    rng = np.random.default_rng(style.pattern_seed)
    base = np.array(style.wall_rgb, float)
    img = np.tile(base, (height, width, 1))
    yy, xx = np.mgrid[0:height, 0:width]
    if style.wall_pattern == "gradient":
        img *= (0.75 + 0.35 * (yy / height))[..., None]
    elif style.wall_pattern == "stripes":
        period = rng.integers(40, 90)
        img *= (0.85 + 0.15 * ((xx // period) % 2))[..., None]
    elif style.wall_pattern == "tiles":
        size = rng.integers(30, 60)
        grout = ((xx % size) < 2) | ((yy % size) < 2)
        img[grout] *= 0.7
    elif style.wall_pattern == "noise":
        small = rng.normal(0, 1, (height // 16 + 2, width // 16 + 2))
        big = np.kron(small, np.ones((16, 16)))[:height, :width]
        img *= (1 + 0.06 * big)[..., None]
    return np.clip(img, 0, 255).astype(np.uint8)


class Renderer:
    """Renders a posed body (vertices + per-vertex colours) on a floor in front of a wall."""

    def __init__(self, width: int, height: int, floor_m: float = 30.0,
                 align_floor: bool = False) -> None:
        """`floor_m`: side of the square floor; `align_floor` turns it square to the view
        (its far edge then runs level across the picture, as a real floor's horizon does)."""
        os.environ.setdefault("PYOPENGL_PLATFORM", "osmesa")
        import pyrender
        import trimesh

        self._pyrender, self._trimesh = pyrender, trimesh
        self.width, self.height = width, height
        self.floor_m, self.align_floor = floor_m, align_floor
        self.renderer = pyrender.OffscreenRenderer(width, height)

    def render(self, vertices: np.ndarray, faces: np.ndarray, colours: np.ndarray,
               camera: CameraSpec, style: SceneStyle, centre: np.ndarray,
               body_height_m: float) -> np.ndarray:
        """One RGB frame (H, W, 3) uint8."""
        pyrender, trimesh = self._pyrender, self._trimesh
        scene = pyrender.Scene(bg_color=[0, 0, 0, 0], ambient_light=[style.ambient] * 3)
        mesh = trimesh.Trimesh(vertices, faces, vertex_colors=colours, process=False)
        scene.add(pyrender.Mesh.from_trimesh(mesh, smooth=True))
        floor = trimesh.creation.box(extents=[self.floor_m, self.floor_m, 0.02])
        if self.align_floor:
            dx, dy = view_direction(camera.view, camera.off_axis_deg)
            floor.apply_transform(trimesh.transformations.rotation_matrix(
                math.atan2(dy, dx), [0, 0, 1]))
        floor.apply_translation([centre[0], centre[1], -0.01])
        floor.visual.vertex_colors = [*style.floor_rgb, 255]
        scene.add(pyrender.Mesh.from_trimesh(floor, smooth=False))
        pose = camera_pose(camera, centre, body_height_m)
        eye, target = pose[:3, 3], np.array([centre[0], centre[1],
                                             camera.aim_height_frac * body_height_m])
        cam = pyrender.PerspectiveCamera(yfov=math.radians(camera.yfov_deg),
                                         aspectRatio=camera.width_px / camera.height_px)
        scene.add(cam, pose=pose)
        # Key light from beside the camera, a weaker fill from the other side.
        az = math.radians(style.light_azimuth_deg)
        to_cam = (eye - target)[:2] / np.linalg.norm((eye - target)[:2])
        rotated = np.array([to_cam[0] * math.cos(az) - to_cam[1] * math.sin(az),
                            to_cam[0] * math.sin(az) + to_cam[1] * math.cos(az)])
        el = math.radians(style.light_elevation_deg)
        light_pos = target + np.array([*(rotated * math.cos(el)), math.sin(el)]) * 3
        scene.add(pyrender.DirectionalLight(intensity=style.light_intensity),
                  pose=look_at(light_pos, target))
        fill_pos = target + np.array([-rotated[0], -rotated[1], 0.5]) * 3
        scene.add(pyrender.DirectionalLight(intensity=0.35 * style.light_intensity),
                  pose=look_at(fill_pos, target))
        colour, depth = self.renderer.render(scene)
        colour = np.array(colour[:, :, :3])
        wall = wall_texture(style, self.width, self.height)
        empty = depth <= 0
        colour[empty] = wall[empty]
        return np.ascontiguousarray(colour)

    def close(self) -> None:
        self.renderer.delete()


def project(points: np.ndarray, camera: CameraSpec, centre: np.ndarray,
            body_height_m: float) -> np.ndarray:
    """Pixel coordinates (N, 2) of world points, for figures and sanity checks."""
    pose = camera_pose(camera, centre, body_height_m)
    world_to_cam = np.linalg.inv(pose)
    p = (world_to_cam[:3, :3] @ points.T).T + world_to_cam[:3, 3]
    f = camera.focal_px
    x = camera.width_px / 2 + f * p[:, 0] / -p[:, 2]
    y = camera.height_px / 2 - f * p[:, 1] / -p[:, 2]
    return np.stack([x, y], 1)
