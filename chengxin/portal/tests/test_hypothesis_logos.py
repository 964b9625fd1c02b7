"""Properties of the logo checks (portal/logos.py): a drawing made of plain shapes, gradients and local references
is accepted whatever its shape; putting any one way of running script, loading from elsewhere or expanding
entities anywhere in it gets it refused; and no bytes whatever make the check raise anything but DomainError."""

from hypothesis import given, settings
from hypothesis import strategies as st

from chengxin.core.errors import DomainError
from chengxin.portal.logos import PNG_MAX_SIDE, check_png, check_svg

FAST = settings(max_examples=150, deadline=None)
SVG_NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

NUMBER = st.integers(0, 500).map(str)
COLOUR = st.sampled_from(["red", "#b22222", "none", "currentColor", "url(#g)", "url('#g')", "url( '#g' )"])
SAFE_ATTRIBUTES = st.dictionaries(
    st.sampled_from(["x", "y", "width", "height", "cx", "cy", "r", "fill", "stroke", "opacity", "transform"]),
    st.one_of(NUMBER, COLOUR, st.just("translate(1 2) scale(2)")),
    max_size=4,
)
SHAPES = st.sampled_from(["rect", "circle", "ellipse", "path", "g", "text", "line", "polygon"])


def _refused(content: bytes) -> bool:
    try:
        check_svg(content)
    except DomainError as exc:
        assert exc.message and exc.errors[0].field == "file"
        return True
    return False


@st.composite
def elements(draw, depth: int = 0) -> str:
    tag = draw(SHAPES)
    attributes = "".join(f' {k}="{v}"' for k, v in draw(SAFE_ATTRIBUTES).items())
    children = draw(st.lists(elements(depth + 1), max_size=3)) if depth < 3 and tag == "g" else []
    text = draw(st.text(alphabet="诚信兴商宣传月 2020", max_size=8)) if tag == "text" else ""
    return f"<{tag}{attributes}>{text}{''.join(children)}</{tag}>"


@st.composite
def drawings(draw) -> list[str]:
    """A logo's elements: a gradient to refer to, shapes, a <use> of the gradient, maybe a local style sheet."""
    parts = ['<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>']
    parts += draw(st.lists(elements(), min_size=1, max_size=5))
    if draw(st.booleans()):
        parts.append('<use xlink:href="#g"/>')
    if draw(st.booleans()):
        parts.append("<style>.a { fill: url(#g); stroke: #000 }</style>")
    return parts


def _svg(parts: list[str], declaration: bool = True) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f'{head}<svg {SVG_NS} viewBox="0 0 500 500">{"".join(parts)}</svg>'.encode()


@FAST
@given(drawings(), st.booleans())
def test_a_drawing_of_plain_shapes_is_accepted(parts, declaration):
    assert not _refused(_svg(parts, declaration))


DANGERS = [
    "<script>alert(1)</script>",
    '<script xlink:href="https://evil.example/x.js"/>',
    '<rect onload="alert(1)"/>',
    '<g onmouseover="x()"><rect/></g>',
    '<image xlink:href="https://evil.example/x.png"/>',
    '<image href="data:image/svg+xml;base64,PHN2Zy8+"/>',
    '<a href="javascript:alert(1)"><rect/></a>',
    '<a xlink:href=" JavaScript:alert(1)"><rect/></a>',
    '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
    '<meta xmlns="http://www.w3.org/1999/xhtml" http-equiv="refresh" content="0;url=https://evil.example"/>',
    '<form xmlns="http://www.w3.org/1999/xhtml" action="https://evil.example"><button>go</button></form>',
    '<p xmlns="http://www.w3.org/1999/xhtml">html</p>',
    '<iframe src="https://evil.example"/>',
    '<embed src="x.swf"/>',
    '<object data="x"/>',
    '<rect style="fill:url(https://evil.example/a)"/>',
    '<rect fill="url(#g)" stroke="url(https://evil.example/a)"/>',
    '<rect style="background: image-set(&quot;https://evil.example/a.png&quot; 1x)"/>',
    '<rect style="fill: u\\72l(https://evil.example/a)"/>',
    "<style>@import 'https://evil.example/a.css';</style>",
    "<style>rect { fill: url(https://evil.example/a) }</style>",
    "<style>rect { fill: \\75rl(https://evil.example/a) }</style>",
    "<style><![CDATA[ ]]><g/>@import url(https://evil.example/a.css);</style>",
    "<style>.a { fill: red }<g/>rect { fill: url(https://evil.example/a) }</style>",
    '<style><!-- a note --><g/><g/>@import "https://evil.example/a.css";</style>',
    '<style>@imp<g/>ort "https://evil.example/a.css";</style>',
    "<style><g>rect { fill: url(https://evil.example/a) }</g></style>",
    "<style><g/>rect { fill: \\75rl(https://evil.example/a) }</style>",
    '<a><set attributeName="href" to="javascript:alert(1)"/><rect/></a>',
    '<a><animate attributeName="xlink:href" values="javascript:alert(1)"/><rect/></a>',
    '<feImage href="https://evil.example/a.png"/>',
    '<use href="https://evil.example/sprite.svg#a"/>',
]


@FAST
@given(drawings(), st.sampled_from(DANGERS), st.integers(0, 10))
def test_any_one_danger_anywhere_in_a_drawing_is_refused(parts, danger, at):
    parts = parts[:]
    parts.insert(at % (len(parts) + 1), danger)
    assert _refused(_svg(parts))


@FAST
@given(
    drawings(),
    st.sampled_from(
        [
            '<!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n',
            '<!DOCTYPE svg SYSTEM "https://evil.example/svg.dtd">\n',
            '<!doctype svg [<!entity xxe SYSTEM "file:///etc/passwd">]>\n',
            '<?xml-stylesheet type="text/css" href="https://evil.example/a.css"?>\n',
        ]
    ),
)
def test_declarations_and_processing_instructions_are_refused(parts, prologue):
    content = b'<?xml version="1.0"?>\n' + prologue.encode() + _svg(parts, declaration=False)
    assert _refused(content)


@FAST
@given(drawings(), st.sampled_from(["utf-16", "utf-16-le", "utf-16-be"]))
def test_entities_are_refused_in_any_encoding(parts, encoding):
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE svg [<!ENTITY x "boom">]>\n'
    text += _svg(parts, declaration=False).decode().replace("</svg>", "<text>&x;</text></svg>")
    assert _refused(text.encode(encoding))


@FAST
@given(st.binary(max_size=500))
def test_any_bytes_are_an_svg_or_refused(content):
    _refused(content)


@FAST
@given(st.text(alphabet="<>/=\"' svgrectxmlns:hrefonload!-[]&;#()url", max_size=120))
def test_any_markup_like_text_is_an_svg_or_refused(text):
    _refused(text.encode())


# --- PNG -----------------------------------------------------------------------------------------------------


@FAST
@given(width=st.integers(0, 2**32 - 1), height=st.integers(0, 2**32 - 1), tail=st.binary(max_size=50))
def test_a_png_is_refused_exactly_when_a_side_is_too_long(width, height, tail):
    content = PNG_SIGNATURE + b"\x00\x00\x00\rIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big") + tail
    try:
        check_png(content)
        refused = False
    except DomainError as exc:
        assert exc.errors[0].field == "file"
        refused = True
    assert refused == (width > PNG_MAX_SIDE or height > PNG_MAX_SIDE)


@FAST
@given(st.binary(max_size=100), st.sampled_from([b"", PNG_SIGNATURE, PNG_SIGNATURE + b"\x00\x00\x00\rIHDR"]))
def test_any_bytes_are_a_png_or_refused(tail, head):
    try:
        check_png(head + tail)
    except DomainError as exc:
        assert exc.message
        return
    assert (head + tail).startswith(PNG_SIGNATURE)
