"""Template context that every page may read."""

# 长者模式 (large text, high contrast): on while this cookie is "1". It is set and cleared in the browser by
# static/chengxin/elder.js, so it is not HttpOnly; it holds nothing but the choice.
ELDER_COOKIE = "chengxin_elder"


def display_mode(request) -> dict:
    """`elder_mode`: whether this browser asked for 长者模式, read from its cookie so that a signed-in page is
    drawn in that mode from its first paint. Only for pages that are never cached for everybody (base.html): the
    cached public pages (core.public_cache) must not depend on it, and let elder.js apply the mode instead."""
    return {"elder_mode": request.COOKIES.get(ELDER_COOKIE) == "1"}
