"""Lighter theme assets: stylesheets keep only rules the pages can use; icons become inline SVG masks."""

from helpers.book import page_assets

# Synthetic stylesheet in the shapes the theme's minified CSS has.
CSS = (
    "/*! licence kept */:root{--x:1}.used{color:red}.unused{color:blue}.used,.unused .used{margin:0}"
    ".used:not(.absent){padding:0}@media (min-width:10px){.unused{a:b}.used>.also{c:d}}"
    "@font-face{font-family:Font Awesome\\ 6 Free;src:url(a.woff2)}@font-face{font-family:Other;src:url(b.woff2)}"
    "@keyframes spin{0%{a:b}to{c:d}}.x[data-a='{']{e:f}"
)


def test_purge_keeps_rules_whose_classes_occur_and_drops_the_rest():
    purged = page_assets.purge_css(CSS, {"used", "also", "x"}, drop_font_families=("Font Awesome",))
    assert "/*! licence kept */" in purged and ":root{--x:1}" in purged
    assert ".used{color:red}" in purged and ".unused{color:blue}" not in purged
    assert ".used{margin:0}" in purged  # the selector list loses only its unused member
    assert ".used:not(.absent){padding:0}" in purged
    assert "@media (min-width:10px){.used>.also{c:d}}" in purged
    assert "Font Awesome" not in purged and "font-family:Other" in purged
    assert "@keyframes spin{0%{a:b}to{c:d}}" in purged
    assert ".x[data-a='{']{e:f}" in purged


def test_an_at_rule_left_empty_is_dropped():
    assert page_assets.purge_css("@media print{.gone{a:b}}.kept{c:d}", {"kept"}) == ".kept{c:d}"


def test_icons_are_taken_from_the_solid_set_and_drawn_as_masks():
    # Synthetic fontawesome.js excerpt: a regular set, then the solid set (the real file's order).
    script = (
        'var a={sun:[512,512,[9728],"f185","M1 1z"],"file-pdf":[384,512,[],"f1c1","M2 2z"]};'
        'var b={sun:[512,512,[9728],"f185","M3 3z"],bars:[448,512,["navicon"],"f0c9","M4 4z"]};'
    )
    words = {"fa-sun", "fa-bars", "fa-solid", "fa-lg", "unrelated"}
    names = page_assets.used_icons(words, script)
    assert names == {"sun", "bars"}
    icons = page_assets.icon_paths(script, names)
    assert icons == {"sun": (512, 512, "M3 3z"), "bars": (448, 512, "M4 4z")}
    css = page_assets.icon_css(icons)
    assert ".fa-bars::before{width:0.875em}" in css
    assert "M3%203z" in css.replace(" ", "%20") and "M1 1z" not in css
    assert "currentColor" in css and 'url("data:image/svg+xml,' in css
