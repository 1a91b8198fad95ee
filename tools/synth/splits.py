"""The held-out validation split and the development split (phone-camera conditions).

- validation (tests/data/validation): never used to fit a threshold or a rule; it says how
  the engine does on people, cameras and gaits no rule was tuned on.
- dev (tests/data/dev): a smaller set of other bodies, scenes and seeds, for tuning.
- limp (tests/data/limp): held out like validation; six long side-on walks (two left limps,
  two right limps, a normal and a slow walk) filmed like the committed fixture walks (level
  camera about 1 m high, 960x720, walker within 15 deg of the axis), for the limp-side check.

None shares a body, a scene or a seed with the other or with the committed fixtures
(tests/data/synthetic, `generate.catalogue()`). The conditions (camera roll, off-axis angle,
camera height, walking distance) are spread over the postures by fixed cycles rather than
crossed in full, so each posture meets every level of each condition a few times.
"""

from __future__ import annotations

from itertools import cycle

from .body import BodyShape
from .cameras import PhoneCam
from .gait_curves import CROUCH, FAST, HYPEREXT, LIMP_LEFT, LIMP_RIGHT, NORMAL, SLOW, GaitStyle
from .generate import BODIES, STYLES, Item
from .render import SceneStyle
from .stand import StandSpec

SEEDS = {"validation": 20250711, "dev": 20250712, "limp": 20250713}

ROLLS = (-5.0, -3.0, 0.0, 3.0, 5.0)
OFF_AXES = (0.0, 10.0, 20.0, 30.0)
HEIGHTS = (0.4, 0.8, 1.2, 1.6)


def _b(name: str, description: str, **kw) -> BodyShape:
    return BodyShape(name, description=description, **kw)


# Anny's age: 0.415 = 11 years, 0.215 = 4 years (its morphological age anchors), so 0.36 is
# about 9 years; with height 0.3 a boy stands about 1.32 m. For adults, height 0.5 is about
# 1.77 m for a woman and 1.87 m for a man (about +1.1 m per unit).
SPLIT_BODIES = {
    # Validation.
    "va1": _b("va1", "woman, about 35, average build, shorts", gender=0.95, age=0.78,
              weight=0.55, height=0.42, skin_rgb=(232, 190, 160), shirt_rgb=(200, 80, 60),
              shorts_rgb=(40, 40, 70), hair_rgb=(90, 60, 30)),
    "va2": _b("va2", "man, about 50, long dark trousers", gender=0.05, age=0.86, weight=0.6,
              height=0.5, muscle=0.5, skin_rgb=(170, 120, 90), shirt_rgb=(220, 220, 215),
              shorts_rgb=(35, 40, 50), hair_rgb=(60, 55, 50), long_trousers=True),
    "va3": _b("va3", "woman, about 70, loose light trousers", gender=1.0, age=0.93,
              weight=0.65, height=0.3, skin_rgb=(240, 205, 185), shirt_rgb=(110, 150, 120),
              shorts_rgb=(190, 180, 160), hair_rgb=(210, 210, 210), loose_trousers=True),
    "va4": _b("va4", "boy, about 9 years, 1.3 m, shorts", gender=0.0, age=0.36, weight=0.45,
              height=0.3, skin_rgb=(205, 150, 110), shirt_rgb=(250, 190, 40),
              shorts_rgb=(50, 90, 150), hair_rgb=(40, 30, 20)),
    "va5": _b("va5", "man, about 45, heavy (obese), shorts", gender=0.1, age=0.84,
              weight=1.0, height=0.45, muscle=0.0, arm_hang_deg=30.0, skin_rgb=(225, 180, 150),
              shirt_rgb=(60, 60, 65), shorts_rgb=(120, 110, 90), hair_rgb=(50, 35, 25)),
    "va6": _b("va6", "woman, young, tall and slim, loose dark trousers", gender=0.9, age=0.7,
              weight=0.3, height=0.52, skin_rgb=(120, 80, 60), shirt_rgb=(230, 120, 170),
              shorts_rgb=(45, 45, 50), hair_rgb=(20, 15, 10), loose_trousers=True),
    "va7": _b("va7", "man, young, short and slim, shorts", gender=0.0, age=0.7, weight=0.35,
              height=0.2, muscle=0.6, skin_rgb=(190, 140, 100), shirt_rgb=(40, 120, 190),
              shorts_rgb=(30, 30, 30), hair_rgb=(25, 20, 15)),
    # Development.
    "dv1": _b("dv1", "girl, about 10 years, 1.37 m, long trousers", gender=1.0, age=0.38,
              weight=0.5, height=0.45, skin_rgb=(235, 195, 170), shirt_rgb=(150, 60, 160),
              shorts_rgb=(60, 80, 120), hair_rgb=(130, 80, 40), long_trousers=True),
    "dv2": _b("dv2", "woman, about 55, heavy (obese), shorts", gender=0.95, age=0.88,
              weight=1.0, height=0.35, muscle=0.05, arm_hang_deg=30.0,
              skin_rgb=(160, 110, 80),
              shirt_rgb=(240, 160, 60), shorts_rgb=(70, 50, 60), hair_rgb=(30, 20, 15)),
    "dv3": _b("dv3", "man, about 30, loose trousers", gender=0.05, age=0.74, weight=0.5,
              height=0.42, muscle=0.55, skin_rgb=(215, 170, 135), shirt_rgb=(90, 90, 160),
              shorts_rgb=(110, 100, 80), hair_rgb=(80, 50, 30), loose_trousers=True),
    "dv4": _b("dv4", "woman, about 40, slim, shorts", gender=0.9, age=0.8, weight=0.4,
              height=0.5, skin_rgb=(200, 150, 120), shirt_rgb=(60, 170, 150),
              shorts_rgb=(50, 45, 40), hair_rgb=(160, 110, 60)),
    # Limp split.
    "li1": _b("li1", "man, about 60, average build, shorts", gender=0.05, age=0.9,
              weight=0.6, height=0.4, muscle=0.4, skin_rgb=(215, 175, 145),
              shirt_rgb=(170, 40, 40), shorts_rgb=(60, 60, 60), hair_rgb=(150, 150, 150)),
    "li2": _b("li2", "woman, about 30, slim, long trousers", gender=0.95, age=0.73,
              weight=0.35, height=0.45, skin_rgb=(185, 135, 100), shirt_rgb=(240, 240, 235),
              shorts_rgb=(40, 50, 90), hair_rgb=(35, 25, 20), long_trousers=True),
    "li3": _b("li3", "man, about 25, tall, shorts", gender=0.0, age=0.72, weight=0.5,
              height=0.6, muscle=0.6, skin_rgb=(140, 95, 70), shirt_rgb=(70, 160, 90),
              shorts_rgb=(150, 130, 100), hair_rgb=(15, 10, 10)),
    "li4": _b("li4", "woman, about 65, heavier, shorts", gender=1.0, age=0.91, weight=0.75,
              height=0.3, skin_rgb=(235, 200, 175), shirt_rgb=(90, 60, 140),
              shorts_rgb=(30, 35, 45), hair_rgb=(180, 170, 160)),
}
ALL_BODIES = BODIES | SPLIT_BODIES

# Scenes none of the fixtures use: indices 6-11 validation, 12-14 dev, 15-17 limp.
SPLIT_STYLES = [
    SceneStyle(3.0, 50, 40, 0.30, (230, 225, 215), (120, 100, 85), "plain", 21),
    SceneStyle(2.6, -35, 55, 0.34, (180, 200, 185), (150, 145, 140), "tiles", 22),
    SceneStyle(3.4, 15, 35, 0.26, (215, 200, 170), (90, 80, 70), "stripes", 23),
    SceneStyle(2.9, -50, 45, 0.32, (160, 170, 190), (170, 160, 140), "gradient", 24),
    SceneStyle(3.1, 30, 60, 0.30, (225, 210, 210), (110, 115, 120), "noise", 25),
    SceneStyle(2.4, -15, 30, 0.38, (140, 135, 125), (190, 185, 175), "plain", 26),
    SceneStyle(3.2, 40, 50, 0.29, (205, 220, 230), (130, 110, 90), "stripes", 31),
    SceneStyle(2.7, -20, 40, 0.33, (235, 230, 200), (100, 95, 100), "noise", 32),
    SceneStyle(3.0, 10, 45, 0.31, (190, 180, 200), (160, 140, 120), "tiles", 33),
    SceneStyle(2.9, 25, 45, 0.31, (220, 215, 200), (125, 105, 90), "gradient", 41),
    SceneStyle(3.1, -30, 50, 0.30, (185, 195, 205), (140, 130, 120), "tiles", 42),
    SceneStyle(2.7, 35, 40, 0.33, (210, 205, 190), (105, 100, 95), "stripes", 43),
]
ALL_STYLES = STYLES + SPLIT_STYLES
VAL_STYLES = tuple(range(len(STYLES), len(STYLES) + 6))
DEV_STYLES = tuple(range(len(STYLES) + 6, len(STYLES) + 9))
LIMP_STYLES = tuple(range(len(STYLES) + 9, len(STYLES) + 12))

# Standing postures: (label, posture, view set, spec).
POSTURES = {
    "neutral": ("neutral", lambda k: StandSpec(knee_flexion_deg=(0.5, 2.0, 3.0, 1.0)[k % 4])),
    "hyperext": ("knee_hyperextension",
                 lambda k: StandSpec(knee_flexion_deg=(-9.0, -12.0, -15.0, -10.0)[k % 4],
                                     thigh_share=(0.4, 0.5, 0.6)[k % 3])),
    "bent": ("bent_knee", lambda k: StandSpec(knee_flexion_deg=(18.0, 24.0, 30.0, 20.0)[k % 4],
                                              thigh_share=(0.45, 0.55, 0.5)[k % 3])),
    "hollow": ("hollow_back",
               lambda k: StandSpec(trunk_inclination_deg=(11.0, 14.0, 18.0, 12.0)[k % 4],
                                   knee_flexion_deg=(-3.0, -8.0, -10.0, -5.0)[k % 4],
                                   thigh_share=0.65)),
    "weight_left": ("weight_shift",
                    lambda k: StandSpec(weight_leg="left", pelvic_drop_deg=(4.0, 5.0, 6.0)[k % 3],
                                        lateral_shift_deg=6.0,
                                        stance_load_pct=(80.0, 85.0, 90.0)[k % 3])),
    "weight_right": ("weight_shift",
                     lambda k: StandSpec(weight_leg="right",
                                         pelvic_drop_deg=(5.0, 4.0, 6.0)[k % 3],
                                         lateral_shift_deg=6.0,
                                         stance_load_pct=(85.0, 80.0, 90.0)[k % 3])),
}


def _stills(plan: list[tuple[str, str, int]], bodies: list[str], styles: tuple[int, ...],
            start: int = 0) -> list[Item]:
    """Stills for (posture key, view, count): the conditions run through their levels with
    co-prime strides so that their combinations differ from item to item."""
    items = []
    body_cycle, style_cycle = cycle(bodies), cycle(styles)
    n = start
    for key, view, count in plan:
        posture, spec_of = POSTURES[key]
        for k in range(count):
            roll = ROLLS[(3 * n) % 5]
            off = OFF_AXES[(n + n // 4) % 4] * (1 if (n // 2) % 2 == 0 else -1) + 0.0
            height = HEIGHTS[(n + 2 * (n // 4)) % 4]
            fov = (68.0, 68.0, 60.0, 48.0)[(n // 3) % 4]  # main lens, some zoom
            body = next(body_cycle)
            phone = PhoneCam(off_axis_deg=off, roll_deg=roll, height_m=height,
                             fill=(0.7, 0.62, 0.78, 0.66, 0.74)[n % 5], long_fov_deg=fov)
            name = (f"stand_{view}_{key}_r{roll:+.0f}_o{off:+.0f}_h{height * 100:03.0f}"
                    f"_{body}")
            items.append(Item(f"{name}.png", "image", view, "standing", posture, body,
                              next(style_cycle), stand=spec_of(k), phone=phone))
            n += 1
    return items


def _walk(gait: GaitStyle, view: str, body: str, style: int, distance: float,
          height: float, roll: float = 0.0, off: float = 0.0,
          size: tuple[int, int] = (640, 360)) -> Item:
    label = {"bent_knee": "crouch", "knee_hyperextension": "hyperext"}.get(gait.name,
                                                                           gait.name)
    name = (f"walk_{view}_{label}_d{distance * 10:02.0f}_r{roll:+.0f}_o{off:+.0f}"
            f"_h{height * 100:03.0f}_{body}")
    phone = PhoneCam(off_axis_deg=off, roll_deg=roll, height_m=height, distance_m=distance,
                     long_fov_deg=None, width_px=size[0], height_px=size[1])
    return Item(f"{name}.mp4", "video", view, "walking", gait.name, body, style, gait=gait,
                phone=phone)


FOUR_THREE = (640, 480)


def validation_catalogue() -> list[Item]:
    bodies = ["va1", "va2", "va4", "va5", "va3", "va7", "va6"]
    plan = [("neutral", "side_left", 4), ("neutral", "side_right", 3),
            ("hyperext", "side_left", 3), ("hyperext", "side_right", 4),
            ("bent", "side_left", 4), ("bent", "side_right", 3),
            ("hollow", "side_left", 3), ("hollow", "side_right", 4),
            ("neutral", "front", 4), ("weight_left", "front", 4), ("weight_right", "front", 4)]
    items = _stills(plan, bodies, VAL_STYLES)
    s = VAL_STYLES
    items += [
        _walk(SLOW, "side_left", "va1", s[0], 2.0, 0.8),
        _walk(NORMAL, "side_right", "va2", s[1], 2.5, 1.2, roll=3.0),
        _walk(FAST, "side_left", "va7", s[2], 4.0, 1.0, off=10.0, size=FOUR_THREE),
        _walk(LIMP_LEFT, "side_right", "va5", s[3], 3.0, 0.4, roll=-3.0),
        _walk(LIMP_RIGHT, "side_left", "va6", s[4], 3.5, 1.6, off=-10.0),
        _walk(CROUCH, "side_left", "va3", s[5], 4.5, 0.8, roll=5.0, size=FOUR_THREE),
        _walk(HYPEREXT, "side_right", "va1", s[0], 5.0, 1.2, off=20.0, size=FOUR_THREE),
        _walk(NORMAL, "side_left", "va4", s[1], 3.0, 0.8, off=10.0, roll=-5.0),
        _walk(SLOW, "side_right", "va2", s[2], 4.0, 1.6, roll=-3.0, size=FOUR_THREE),
        _walk(FAST, "side_right", "va6", s[3], 6.0, 1.2, off=-20.0, size=FOUR_THREE),
        _walk(LIMP_LEFT, "side_left", "va7", s[4], 5.0, 0.4, roll=3.0, size=FOUR_THREE),
        _walk(LIMP_RIGHT, "side_right", "va4", s[5], 2.5, 1.2, off=20.0),
        _walk(CROUCH, "side_right", "va5", s[0], 3.5, 1.2, off=-10.0, roll=-5.0),
        _walk(HYPEREXT, "side_left", "va2", s[1], 6.0, 0.8, roll=5.0, size=FOUR_THREE),
    ]
    return items


def dev_catalogue() -> list[Item]:
    bodies = ["dv4", "dv1", "dv2", "dv3"]
    plan = [("neutral", "side_left", 2), ("hyperext", "side_right", 2),
            ("bent", "side_left", 2), ("hollow", "side_right", 2),
            ("neutral", "front", 1), ("weight_left", "front", 2), ("weight_right", "front", 2)]
    items = _stills(plan, bodies, DEV_STYLES, start=7)
    s = DEV_STYLES
    items += [
        _walk(NORMAL, "side_left", "dv4", s[0], 3.0, 1.0, roll=-3.0, off=20.0),
        _walk(LIMP_RIGHT, "side_right", "dv2", s[1], 4.0, 0.8, off=10.0, size=FOUR_THREE),
        _walk(FAST, "side_left", "dv3", s[2], 5.0, 1.4, roll=5.0, size=FOUR_THREE),
        _walk(LIMP_LEFT, "side_left", "dv1", s[0], 2.5, 0.6, off=-20.0),
        _walk(SLOW, "side_right", "dv4", s[1], 3.5, 1.2, roll=3.0),
    ]
    return items


# Limp split: frame size and the largest angle of the walker off the camera's axis, as the
# committed fixture walks (generate.WALK_FRAME_PX, generate.WALK_EDGE_DEG).
LIMP_FRAME_PX = (960, 720)
LIMP_EDGE_DEG = 15.0
LIMP_STRIDES = 4  # complete stance phases per leg in view
LIMP_MIN_S = 6.0  # and at least this long


def _side_walk(gait: GaitStyle, view: str, body: str, style: int, height: float,
               roll: float = 0.0, off: float = 0.0) -> Item:
    """A long side-on walk placed like the fixture walks: the camera's distance from the
    largest off-axis angle of the walker, the narrowest lens that keeps it all in view, and
    a clip as long as LIMP_STRIDES stance phases per leg need (phone.edge_walk)."""
    name = (f"walk_{view}_{gait.name}_r{roll:+.0f}_o{off:+.0f}_h{height * 100:03.0f}"
            f"_{body}")
    phone = PhoneCam(off_axis_deg=off, roll_deg=roll, height_m=height, long_fov_deg=None,
                     width_px=LIMP_FRAME_PX[0], height_px=LIMP_FRAME_PX[1])
    return Item(f"{name}.mp4", "video", view, "walking", gait.name, body, style, gait=gait,
                phone=phone, camera={"edge_deg": LIMP_EDGE_DEG}, frame_px=LIMP_FRAME_PX)


def limp_catalogue() -> list[Item]:
    s = LIMP_STYLES
    return [
        _side_walk(LIMP_LEFT, "side_left", "li1", s[0], 1.0),
        _side_walk(LIMP_LEFT, "side_right", "li2", s[1], 0.95, roll=2.0, off=10.0),
        _side_walk(LIMP_RIGHT, "side_left", "li3", s[2], 1.05, roll=-3.0, off=5.0),
        _side_walk(LIMP_RIGHT, "side_right", "li4", s[0], 1.0, roll=1.0, off=-5.0),
        _side_walk(NORMAL, "side_left", "li2", s[2], 1.0, off=-10.0),
        _side_walk(SLOW, "side_right", "li3", s[1], 1.0, roll=-2.0),
    ]


def split_catalogue(split: str) -> tuple[list[Item], int]:
    """(items, seed) of a split: "validation", "dev" or "limp"."""
    if split == "validation":
        return validation_catalogue(), SEEDS["validation"]
    if split == "dev":
        return dev_catalogue(), SEEDS["dev"]
    if split == "limp":
        return limp_catalogue(), SEEDS["limp"]
    raise ValueError(f"unknown split {split!r}")
