"""The drawn illustrations: every library exercise and ladder level has a start and an end
pose, the poses file is checked with errors that name the entry, the drawings follow the
steps (clam: feet together, knee opens; reverse clam: knees together, foot lifts), and the
SVG is served with a policy that lets no script run."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tomllib
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from apps.exercises.illustrations import alt_text, illustration_svg, illustration_version, specs
from apps.exercises.illustrations.data import LIBRARY_PATH, PoseDataError, parse_poses
from apps.exercises.illustrations.model import joint_points
from apps.exercises.illustrations.pdf import drawing
from apps.exercises.illustrations.scene import _placed, picture
from apps.exercises.illustrations.svg import CONTENT_SECURITY_POLICY

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse the app's own SVG (trusted: made by the renderer from the poses file)."""
    return ET.fromstring(svg)  # noqa: S314


with LIBRARY_PATH.open("rb") as _handle:
    LIBRARY = tomllib.load(_handle)
EXERCISE_KEYS = [row["key"] for row in LIBRARY["exercises"]]
LADDER_LEVELS = sorted({key for ladder in LIBRARY["ladders"] for key in ladder["levels"]})


def test_the_library_has_22_exercises_and_every_one_has_poses():
    assert len(EXERCISE_KEYS) == 22
    assert sorted(specs()) == sorted(EXERCISE_KEYS)


@pytest.mark.parametrize("key", EXERCISE_KEYS)
def test_every_library_exercise_renders_valid_svg_with_a_start_and_an_end_pose(key):
    root = parse(illustration_svg(key))

    assert root.tag == f"{SVG}svg"
    panels = [g.get("class") for g in root.iter(f"{SVG}g")]
    assert panels == ["panel panel-start", "panel panel-end"]
    for panel in root.iter(f"{SVG}g"):
        assert len(panel.findall(f"{SVG}circle")) == 1  # the head
        assert len(panel.findall(f"{SVG}line")) >= 11  # neck, 3 bones a leg, 2 an arm
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels == ["Start", "End"]
    assert root.find(f"{SVG}script") is None


@pytest.mark.parametrize("key", LADDER_LEVELS)
def test_every_ladder_level_has_a_highlighted_moving_limb_in_both_poses(key):
    root = parse(illustration_svg(key))

    for panel in root.iter(f"{SVG}g"):
        moving = [e for e in panel if "moving" in (e.get("class") or "").split()]
        assert moving, f"{key}: {panel.get('class')} shows no moving limb"


@pytest.mark.parametrize("key", EXERCISE_KEYS)
def test_the_thumbnail_is_the_end_pose_with_the_start_as_a_ghost(key):
    root = parse(illustration_svg(key, variant="thumb"))

    assert [g.get("class") for g in root.iter(f"{SVG}g")] == ["panel panel-end"]
    assert "still" in root.get("class")
    if specs()[key].moving != ("pelvis",):
        assert root.findall(f".//*[@class='{_ghost_class(root)}']")


def _ghost_class(root: ET.Element) -> str:
    classes = [e.get("class") or "" for e in root.iter()]
    return next(c for c in classes if c.endswith(" ghost"))


def test_the_arrow_follows_the_named_joint_from_start_to_end():
    spec = specs()["clam-1"]
    pic = picture(spec)
    end_panel = pic.panels[1][2]
    arrows = [p for p in end_panel if type(p).__name__ == "Arrow"]
    assert len(arrows) == 1
    start_knee = _placed(spec, "start")["right_knee"]
    end_knee = _placed(spec, "end")["right_knee"]
    assert end_knee[1] > start_knee[1] + 10  # the top knee rises toward the ceiling


# --- the clinical content of the drawings ----------------------------------------------------


def _distance(a, b) -> float:
    return sum((x - y) ** 2 for x, y in zip(a, b, strict=True)) ** 0.5


def test_clam_1_opens_the_top_knee_while_the_feet_stay_together():
    spec = specs()["clam-1"]
    start, end = _placed(spec, "start"), _placed(spec, "end")

    assert end["right_knee"][1] - start["right_knee"][1] > 15
    feet_apart = _distance(start["right_ankle"], start["left_ankle"])
    assert _distance(end["right_ankle"], end["left_ankle"]) < feet_apart + 2
    assert spec.end.right_leg.hip_rotation < 0  # external rotation


@pytest.mark.parametrize("key", ["clam-2", "reverse-clam-band"])
def test_the_reverse_clam_lifts_the_top_foot_with_the_knees_together(key):
    spec = specs()[key]
    start, end = _placed(spec, "start"), _placed(spec, "end")

    assert end["right_ankle"][1] - start["right_ankle"][1] > 15
    knees_apart = _distance(start["right_knee"], start["left_knee"])
    assert _distance(end["right_knee"], end["left_knee"]) < knees_apart + 1
    assert spec.end.right_leg.hip_rotation > 0  # internal rotation


@pytest.mark.parametrize("key", ["clam-1", "clam-2", "clam-3"])
def test_clams_1_to_3_bend_both_hips_to_45_degrees(key):
    start = specs()[key].start
    assert start.left_leg.hip_flexion == start.right_leg.hip_flexion == 45


def test_clam_3_holds_the_top_thigh_level_and_turns_inward():
    spec = specs()["clam-3"]
    for which in ("start", "end"):
        points = _placed(spec, which)
        assert abs(points["right_knee"][1] - points["right_hip"][1]) < 8  # thigh level
    assert spec.end.right_leg.hip_rotation > 0


def test_clam_4_straightens_the_top_hip_and_keeps_the_bottom_hip_at_45():
    spec = specs()["clam-4"]
    assert spec.start.right_leg.hip_flexion == 0
    assert spec.start.left_leg.hip_flexion == 45
    assert spec.end.right_leg.hip_rotation > 0


def test_the_side_lying_leg_raise_lifts_about_30_degrees_slightly_behind_the_body():
    """CLINICAL.md: the top leg lifts straight up, toes forward, slightly behind the body line,
    about 30°; it must not drift forward (the hip flexors take over)."""
    spec = specs()["side-lying-hip-abduction"]
    top = (spec.start.right_leg, spec.end.right_leg)
    assert spec.end.right_leg.hip_abduction == 30
    assert all(leg.hip_flexion < 0 for leg in top)  # behind the body line, start and end
    assert all(leg.hip_rotation == 0 and leg.knee_flexion == 0 for leg in top)


def test_the_fire_hydrant_keeps_the_knee_at_90_degrees():
    spec = specs()["fire-hydrant"]
    assert spec.start.left_leg.knee_flexion == spec.end.left_leg.knee_flexion == 90


def test_the_mini_band_is_drawn_only_where_the_exercise_uses_one():
    banded = {key for key, spec in specs().items() if "band" in spec.props}
    uses_band = {row["key"] for row in LIBRARY["exercises"] if "mini_band" in row["equipment"]}
    assert banded == uses_band


def test_steps_and_walls_are_drawn_where_the_exercise_uses_them():
    for row in LIBRARY["exercises"]:
        props = specs()[row["key"]].props
        for equipment in ("step", "wall"):
            assert (equipment in props) == (equipment in row["equipment"]), row["key"]


def test_a_hip_flexion_brings_the_knee_forward_of_the_hip():
    from apps.exercises.illustrations.model import Leg, Pose

    points = joint_points(Pose(right_leg=Leg(hip_flexion=90)))
    assert points["right_knee"][0] > points["right_hip"][0] + 40  # anterior is +X standing


# --- alt text --------------------------------------------------------------------------------


class _Exercise:
    def __init__(self, key, steps, name="Clam"):
        self.key, self.steps, self.name, self.clinic_id = key, steps, name, None


def test_the_alt_text_comes_from_the_steps():
    steps = next(row for row in LIBRARY["exercises"] if row["key"] == "clam-1")["steps"]

    text = alt_text(_Exercise("clam-1", steps))

    assert text.startswith("Drawing of Clam. Start: " + steps[0])
    assert text.endswith("Movement: " + steps[2])


def test_the_alt_text_without_steps_still_names_the_exercise():
    assert alt_text(_Exercise("clam-1", [])) == "Drawing of Clam."


@pytest.mark.parametrize("key", EXERCISE_KEYS)
def test_each_end_step_names_a_step_of_the_exercise(key):
    steps = next(row for row in LIBRARY["exercises"] if row["key"] == key)["steps"]
    assert 1 <= specs()[key].end_step <= len(steps)


# --- validation ------------------------------------------------------------------------------

GOOD = """
[exercises.a]
posture = "side_lying"
[exercises.a.start]
left_leg = { hip_flexion = 45 }
[exercises.a.end]
left_leg = { hip_rotation = -30 }
"""


def test_a_valid_file_parses_and_the_end_inherits_the_start():
    parsed = parse_poses(GOOD, exercise_keys=["a"])
    assert parsed["a"].end.left_leg.hip_flexion == 45
    assert parsed["a"].end.left_leg.hip_rotation == -30


@pytest.mark.parametrize(
    ("text", "keys", "message"),
    [
        (GOOD + "\n[exercises.b.start]\n[exercises.b.end]\n", ["a"], "b: no library exercise"),
        (GOOD, ["a", "c"], "c: no poses for this library exercise"),
        (GOOD.replace("[exercises.a.end]", "[exercises.a.finish]"), ["a"], "a.finish: unknown"),
        ("[exercises.a]\n[exercises.a.start]\n", ["a"], "a: missing the end pose"),
        ("[exercises.a]\n[exercises.a.end]\n", ["a"], "a: missing the start pose"),
        (GOOD.replace("hip_flexion = 45", "hip_flexion = 450"), ["a"],
         "a.start.left_leg.hip_flexion: 450° is outside -40° to 140°"),
        (GOOD.replace("hip_rotation = -30", "hip_rotation = -95"), ["a"],
         "a.end.left_leg.hip_rotation: -95° is outside"),
        (GOOD.replace("hip_flexion = 45", 'hip_flexion = "45"'), ["a"],
         "a.start.left_leg.hip_flexion: expected a number"),
        (GOOD.replace("hip_flexion = 45", "hip_flex = 45"), ["a"],
         "a.start.left_leg.hip_flex: unknown angle"),
        (GOOD.replace("left_leg = { hip_flexion", "tail = { hip_flexion"), ["a"],
         "a.start.tail: unknown body part"),
        (GOOD.replace('posture = "side_lying"', 'posture = "sitting"'), ["a"],
         "a.posture: 'sitting' is not one of"),
        (GOOD.replace('posture = "side_lying"', 'arrow = "elbow"'), ["a"],
         "a.arrow: 'elbow' is not one of"),
        (GOOD.replace('posture = "side_lying"', 'props = ["trampoline"]'), ["a"],
         "a.props: 'trampoline' is not one of"),
        ("[exercises.a\n", ["a"], "poses file is not valid TOML"),
    ],
)  # fmt: skip
def test_a_bad_poses_file_is_refused_with_the_entry_named(text, keys, message):
    with pytest.raises(PoseDataError) as raised:
        parse_poses(text, exercise_keys=keys)
    assert message in str(raised.value)


# --- the handout's writer --------------------------------------------------------------------


@pytest.mark.parametrize("key", EXERCISE_KEYS)
def test_every_drawing_can_be_drawn_by_reportlab_at_the_requested_width(key):
    from reportlab.graphics import renderPDF

    shapes = drawing(picture(specs()[key]), width=170)

    assert shapes.width == 170
    assert 40 < shapes.height < 110
    assert renderPDF.drawToString(shapes).startswith(b"%PDF")


# --- the view --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_svg_is_served_with_a_hash_only_style_policy_and_a_long_cache_when_versioned():
    url = f"/illustrations/clam-1/pair.svg?v={illustration_version()}"
    response = Client().get(url)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "immutable" in response["Cache-Control"]
    style = re.search(r"<style>(.*?)</style>", response.content.decode(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response["Content-Security-Policy"]
    assert "script-src" not in response["Content-Security-Policy"]  # default-src 'none'


@pytest.mark.django_db
def test_an_old_version_is_served_but_not_cached_for_long():
    response = Client().get("/illustrations/clam-1/thumb.svg?v=0000")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/illustrations/no-such-exercise/pair.svg", "/illustrations/clam-1/poster.svg"]
)
def test_an_unknown_exercise_or_variant_is_a_404(url):
    assert Client().get(url).status_code == 404


@pytest.mark.django_db
def test_the_svg_answers_get_only():
    assert Client().post("/illustrations/clam-1/pair.svg").status_code == 405


def test_the_animation_is_switched_off_for_people_who_ask_for_less_motion():
    svg = illustration_svg("clam-1")
    style = re.search(r"<style>(.*?)</style>", svg, re.S).group(1)
    # Animations are declared only inside the no-preference query.
    outside = re.sub(r"@media \(prefers-reduced-motion:no-preference\)\{.*?\}\}", "", style)
    assert "animation:" not in outside
    assert "animation:" in style


# --- the review command ----------------------------------------------------------------------


def test_draw_exercise_writes_an_svg_and_a_pdf(tmp_path):
    from django.core.management import call_command

    call_command("draw_exercise", "clam-1", "--out", str(tmp_path), stdout=io.StringIO())

    assert parse((tmp_path / "clam-1.svg").read_text()).tag == f"{SVG}svg"
    assert (tmp_path / "clam-1.pdf").read_bytes().startswith(b"%PDF")


def test_draw_exercise_check_and_unknown_keys():
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("draw_exercise", "--check", stdout=out)
    assert "valid (22 exercises)" in out.getvalue()
    with pytest.raises(CommandError, match="No poses for: no-such"):
        call_command("draw_exercise", "no-such", stdout=io.StringIO())


def test_a_broken_poses_file_is_reported_by_check_and_the_pages_show_no_drawings(
    monkeypatch, tmp_path, caplog
):
    from apps.exercises import checks, illustrations
    from apps.exercises.illustrations import data

    broken = tmp_path / "poses.toml"
    broken.write_text(
        (data.POSES_PATH.read_text()).replace("hip_flexion = 45", "hip_flexion = 450", 1)
    )
    monkeypatch.setattr(data, "POSES_PATH", broken)
    monkeypatch.setattr(illustrations, "POSES_PATH", broken)
    monkeypatch.setattr(data.load_poses, "__defaults__", (broken,))

    errors = checks.poses_file_is_valid()
    assert [e.id for e in errors] == ["exercises.E001"]
    assert "clam-1.start.right_leg.hip_flexion: 450°" in errors[0].msg
    assert illustrations.illustration_for(_Exercise("clam-1", ["Lie down."])) is None
    assert "poses.toml is not valid" in caplog.text


@pytest.mark.parametrize(("variant", "look"), [("pair", "still"), ("loop", "animate")])
def test_the_pair_is_still_and_only_the_loop_variant_animates(variant, look):
    root = parse(illustration_svg("fire-hydrant", variant=variant))
    assert root.get("class") == look
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Start", "End"]


def test_the_stacked_variant_puts_start_above_end_for_an_upright_phone():
    root = parse(illustration_svg("clam-1", variant="stack"))
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    panels = [g.get("transform") for g in root.iter(f"{SVG}g")]

    assert height > width
    assert panels[0] == "translate(0 0)"
    assert panels[1].startswith("translate(0 ")
    assert panels[1] != "translate(0 0)"
