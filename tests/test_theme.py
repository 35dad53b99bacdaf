"""The themes are readable outdoors and at night: every text colour meets its contrast goal."""

from __future__ import annotations

import pytest

from fieldapp.qt import QApplication, QPalette
from fieldapp.theme import DARK, SUNLIGHT, THEMES, apply_theme, contrast_ratio, current
from sync.workflow import STATUSES


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", sorted(THEMES))
def test_every_text_colour_meets_its_contrast_goal(name: str) -> None:
    failing = [
        (what, round(contrast_ratio(fg, bg), 2))
        for what, fg, bg, goal in THEMES[name].text_pairs()
        if contrast_ratio(fg, bg) < goal
    ]
    assert failing == []


@pytest.mark.parametrize("theme", [SUNLIGHT, DARK])
def test_every_status_has_a_chip_colour(theme) -> None:
    assert set(theme.status) >= set(STATUSES)


def test_apply_theme_repaints_the_application(qapp: QApplication) -> None:
    try:
        apply_theme(qapp, "dark")
        assert current() is DARK
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == DARK.window
        assert qapp.font().pointSizeF() >= 14
        apply_theme(qapp, "no such theme")
        assert current() is SUNLIGHT
        assert qapp.palette().color(QPalette.ColorRole.Window).name() == SUNLIGHT.window
    finally:
        apply_theme(qapp, "sunlight")


def test_map_pin_colours_carry_their_white_number_at_7_to_1() -> None:
    from maps.mappage import STATUS_COLOURS

    assert {s: c for s, c in STATUS_COLOURS.items() if contrast_ratio("#ffffff", c) < 7.0} == {}
