"""Accessibility the automatic checkers do not see, in a real browser on the demo data.

Keyboard only (WCAG 2.1.1, 2.1.2, 2.4.1, 2.4.3, 2.4.7, 4.1.3): after `page.goto` the main
flows are done with `page.keyboard` alone (Tab, Shift+Tab, Enter, Space, arrow keys) --
log in, filter the asset list, edit an asset, move a case, import a file (the file is
set with `set_input_files`, as the operating system's file dialog would). On every page
the walk checks that

- every Tab stop shows a focus indicator: an outline or a box shadow that the element
  does not have without focus, in a colour with 3:1 contrast against what is behind it;
- the skip link is the first Tab stop and takes focus to the main content;
- the Tab stops follow the DOM (no positive tabindex), main content before the footer;
- Tab reaches the footer and goes on round to the skip link (no keyboard trap);
- the outcome is announced: the message is in a live region (role status or alert).

Reflow and text size (WCAG 1.4.10, 1.4.4): the asset list, the case list and a case page
at 320 CSS px, and at 1280 px with the browser's text size at 200 % (Chromium's font-size
setting, as a user sets it, so rem and em media queries follow it too): no sideways page
scroll, no control cut off or out of the viewport or out of its box, and no heading or
control lying over another.
"""

import re

from playwright.sync_api import expect

from inventory.models import Asset
from procurement.choices import Stage
from procurement.models import ProcurementCase
from tests.inventory.import_files import SV_HEADERS, csv_bytes, sv_row

MOBILE = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 800}
MAX_STOPS = 400
FOOTER_LINK = ".site-footer a"

# What the focused element looks like: its outline and box shadow, whether it is on the
# screen, and the colours of the indicator against what is painted behind it.
FOCUS_LOOK = """el => {
  const parse = text => {
    const m = text && text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return a === 0 ? null : [r, g, b];
  };
  const luminance = ([r, g, b]) => {
    const c = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
  };
  const contrast = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((a, b) => b - a);
    return (hi + 0.05) / (lo + 0.05);
  };
  const behind = node => {
    for (let n = node.parentElement; n; n = n.parentElement) {
      const colour = parse(getComputedStyle(n).backgroundColor);
      if (colour) return colour;
    }
    return [255, 255, 255];
  };
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
    ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : 'none';
  const shadow = s.boxShadow;
  const colours = [];
  if (outline !== 'none') colours.push(parse(s.outlineColor));
  if (shadow !== 'none') colours.push(parse(shadow));
  const back = behind(el);
  const best = Math.max(0, ...colours.filter(Boolean).map(c => contrast(c, back)));
  const box = el.getBoundingClientRect();
  const label = (el.getAttribute('aria-label') || el.textContent || el.value || '')
    .trim().replace(/\\s+/g, ' ').slice(0, 40);
  return {
    what: `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
      + `${el.name ? '[name=' + el.name + ']' : ''} "${label}"`,
    outline, shadow, contrast: best,
    // A date field's calendar button has the focus inside the field (its shadow DOM):
    // the field is then :focus-within, not :focus.
    focusVisible: el.matches(':focus-visible')
      || (!el.matches(':focus') && el.matches(':focus-within')),
    onScreen: el.checkVisibility({visibilityProperty: true, opacityProperty: true})
      && box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < window.innerHeight && box.left < window.innerWidth,
  };
}"""

# Where the focused element is relative to the one before (DOM order), and what it is.
FOCUS_PLACE = """([el, before]) => {
  const footer = document.querySelector('.site-footer');
  const main = document.getElementById('main');
  return {
    body: el === document.body || el === null,
    skipLink: el.classList.contains('skip-link'),
    inMain: main.contains(el),
    inFooter: footer.contains(el),
    follows: before === null || before === el || !before.isConnected
      || Boolean(before.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING),
  };
}"""


class KeyboardUser:
    """Moves the focus with the keyboard and checks every element it lands on."""

    def __init__(self, page):
        self.page = page
        self.current = None  # a handle on the focused element
        self.current_look = None

    def _check_previous(self):
        # Now that it has lost focus, the element before must look different than with it.
        if self.current is None or not self.current.evaluate("el => el.isConnected"):
            return
        look = self.current.evaluate(FOCUS_LOOK)
        focused = self.current_look
        assert (look["outline"], look["shadow"]) != (focused["outline"], focused["shadow"]), (
            f"{focused['what']} looks the same with and without focus "
            f"(outline {look['outline']}, box shadow {look['shadow']})"
        )

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        # A date field's parts are Tab stops inside one element: the focus did not leave.
        moved = self.current is None or not self.current.evaluate(
            "el => el === document.activeElement"
        )
        return self.landed(check_previous=moved)

    def landed(self, check_previous: bool = False) -> dict:
        """Check the focused element; returns where it is and what it looks like."""
        if check_previous:
            self._check_previous()
        before = self.current
        self.current = self.page.evaluate_handle("document.activeElement")
        place = self.page.evaluate(FOCUS_PLACE, [self.current, before])
        if place["body"]:
            self.current = self.current_look = None
            return place
        look = self.current.evaluate(FOCUS_LOOK)
        self.current_look = look
        assert look["onScreen"], f"{look['what']} has focus but is not on the screen"
        assert look["focusVisible"], f"{look['what']} has keyboard focus but no :focus-visible"
        assert look["outline"] != "none" or look["shadow"] != "none", (
            f"{look['what']} shows no focus indicator (no outline, no box shadow)"
        )
        assert look["contrast"] >= 3, (
            f"the focus indicator of {look['what']} has {look['contrast']:.1f}:1 contrast "
            "against its background, under 3:1"
        )
        return {**place, **look}

    def tab_to(self, selector: str, key: str = "Tab") -> dict:
        """Tab (or Shift+Tab) until the focused element matches `selector`."""
        for _ in range(MAX_STOPS):
            stop = self.press(key)
            if not stop["body"] and self.current.evaluate("(el, s) => el.matches(s)", selector):
                return stop
        raise AssertionError(f"{MAX_STOPS} presses of {key} did not reach {selector}")

    def around(self, url_label: str):
        """From the top of a freshly loaded page: Tab through every stop to the footer
        and round to the skip link again, checking the order on the way."""
        autofocus = self.page.evaluate(
            "document.activeElement === document.body ? null"
            " : document.activeElement.hasAttribute('autofocus')"
        )
        assert autofocus in (None, True), f"{url_label}: a script moved the focus on load"
        if autofocus:
            # A field with `autofocus` has the focus: it must show it. Shift+Tab leads
            # back to the skip link, and from there on the page is walked as any other.
            self.landed()
            self.tab_to(".skip-link", key="Shift+Tab")
            assert self.press("Shift+Tab")["body"], f"{url_label}: a Tab stop before the skip link"
        positive = self.page.evaluate(
            "[...document.querySelectorAll('[tabindex]')].filter(e => e.tabIndex > 0)"
            ".map(e => e.outerHTML.slice(0, 80))"
        )
        assert positive == [], f"{url_label}: positive tabindex changes the order: {positive}"
        self.current = None
        first = self.press("Tab")
        assert first.get("skipLink"), f"{url_label}: the first Tab stop is {first.get('what')}"
        stops = [first]
        for _ in range(MAX_STOPS):
            stop = self.press("Tab")
            if stop["body"] or stop.get("skipLink"):
                break
            assert stop["follows"], (
                f"{url_label}: Tab goes back up the page from {stops[-1]['what']} to {stop['what']}"
            )
            stops.append(stop)
        else:
            raise AssertionError(f"{url_label}: {MAX_STOPS} Tab stops and no way round")
        assert stops[-1]["inFooter"], (
            f"{url_label}: Tab never reaches the footer; the last stop is {stops[-1]['what']}"
        )
        in_main = [n for n, stop in enumerate(stops) if stop["inMain"]]
        assert in_main, f"{url_label}: no Tab stop in the main content"
        in_footer = [n for n, stop in enumerate(stops) if stop["inFooter"]]
        assert max(in_main) < min(in_footer), f"{url_label}: a footer stop before main content"
        # Past the end the focus goes round: to the browser (the body), then the skip link.
        if stop["body"]:
            stop = self.press("Tab")
        assert stop.get("skipLink"), f"{url_label}: after the footer Tab lands on {stop}"
        return stops


def announced(page, text: str):
    """`text` is in a message that a screen reader announces: a live region."""
    message = page.locator(".messages .message", has_text=text)
    expect(message).to_have_count(1)
    live = message.evaluate(
        """el => {
          const region = el.closest('[role=status], [role=alert], [aria-live]');
          return region && (region.getAttribute('aria-live') || region.getAttribute('role'));
        }"""
    )
    assert live in ("status", "alert", "polite", "assertive"), (
        f"the message {text!r} is not in a live region"
    )


def type_over(page, text: str):
    """Replace the focused text field's value, as a user does with the keyboard."""
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def test_log_in_with_the_keyboard(demo, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    keys = KeyboardUser(page)
    keys.around("the login page")
    keys.tab_to("#id_username")
    page.keyboard.type("it")
    stop = keys.press("Tab")
    assert stop["what"].startswith("input#id_password"), f"Tab from the user name: {stop}"
    page.keyboard.type("inventera-demo")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator(".user-name")).to_have_text("Jonas Ek")

    # Shift+Tab goes back the same way: from the first field of the page to the skip link.
    page.goto(f"{live_server.url}/accounts/login/")
    keys = KeyboardUser(page)
    keys.tab_to("#id_username")
    keys.tab_to(".skip-link", key="Shift+Tab")


def test_a_wrong_password_is_announced(demo, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    keys = KeyboardUser(page)
    keys.tab_to("#id_username")
    page.keyboard.type("it")
    keys.press("Tab")
    page.keyboard.type("fel-lösenord")
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    KeyboardUser(page).landed()


def test_filter_the_asset_list_with_the_keyboard(demo, login, live_server, page):
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/")
    everything = Asset.objects.count()
    expect(page.locator("#results-heading")).to_contain_text(str(everything))
    keys = KeyboardUser(page)
    keys.around("the asset list")

    # The skip link takes the focus past the menus, to the first thing in the main content.
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    stop = keys.press("Tab")
    assert stop["inMain"] and "Lägg till utrustning" in stop["what"], stop

    page.keyboard.press("ControlOrMeta+Home")
    page.evaluate("document.activeElement.blur()")
    keys.current = None
    keys.tab_to(".filters input[name=q]")
    page.keyboard.type("HB-PC")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?.*q=HB-PC"))
    found = Asset.objects.filter(tag__icontains="HB-PC").count()
    assert 0 < found < everything
    expect(page.locator("#results-heading")).to_contain_text(str(found))
    tags = page.locator("table.data-table tbody th a").all_inner_texts()
    assert tags and all(tag.startswith("HB-PC") for tag in tags), tags


def test_edit_an_asset_with_the_keyboard(demo, login, live_server, page):
    login("it")
    page.goto(f"{live_server.url}/inventory/assets/HB-PC-01/")
    keys = KeyboardUser(page)
    keys.around("the asset page")
    keys.tab_to("main a[href$='/edit/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inventory/assets/HB-PC-01/edit/$"))

    keys = KeyboardUser(page)
    keys.around("the edit form")
    keys.tab_to("#id_purchase_price")
    type_over(page, "minus tio")
    keys.tab_to("main form button[type=submit]")
    page.keyboard.press("Enter")
    # Refused: the error summary is an alert and has the focus, its link leads to the field.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    keys = KeyboardUser(page)
    keys.landed()
    keys.tab_to("#error-summary a[href='#id_purchase_price']")
    page.keyboard.press("Enter")
    expect(page.locator("#id_purchase_price")).to_be_in_viewport()

    page.keyboard.press("ControlOrMeta+Home")
    page.evaluate("document.activeElement.blur()")
    keys.current = None
    keys.tab_to("#id_purchase_price")
    type_over(page, "8 495,50")
    keys.tab_to("#id_notes")
    type_over(page, "Ny skärm beställd.")
    keys.tab_to("main form button[type=submit]")
    page.keyboard.press("Space")
    # (The error link's #fragment stays on the URL through the redirect.)
    page.wait_for_url(re.compile(r"/inventory/assets/HB-PC-01/(#[\w-]*)?$"))
    announced(page, "HB-PC-01")
    asset = Asset.objects.get(tag="HB-PC-01")
    assert (str(asset.purchase_price), asset.notes) == ("8495.50", "Ny skärm beställd.")


def test_move_a_case_with_the_keyboard(demo, login, live_server, page):
    case = ProcurementCase.objects.get(title="Personaldatorer till informationsdisken")
    assert case.stage == Stage.ORDERED
    login("it")
    page.goto(live_server.url + case.get_absolute_url())
    keys = KeyboardUser(page)
    keys.around("the case page")

    radios = page.locator("#move-form input[name='move-to_stage']")
    assert radios.evaluate_all("rs => rs.map(r => r.value)") == [
        Stage.DELIVERED,
        Stage.ON_HOLD,
        Stage.CANCELLED,
    ]
    # Tab enters the group at its first radio; the arrows move and choose within it.
    keys.tab_to("#move-form input[name='move-to_stage']")
    assert keys.current.evaluate("el => el.value") == Stage.DELIVERED
    keys.press("ArrowDown")
    assert keys.current.evaluate("el => el.value + el.checked") == "on_holdtrue"
    keys.press("ArrowUp")
    page.keyboard.press("Space")
    checked = page.locator("#move-form input[name='move-to_stage']:checked")
    expect(checked).to_have_value(Stage.DELIVERED)
    stop = keys.press("Tab")
    assert stop["what"].startswith("textarea#id_move-comment"), f"Tab from the group: {stop}"
    page.keyboard.type("Levererat i dag.")
    keys.tab_to("#move-form button[name=move]")
    page.keyboard.press("Enter")
    expect(page.locator(".case-status .status--delivered")).to_be_visible()
    case.refresh_from_db()
    assert case.stage == Stage.DELIVERED
    announced(page, case.reference)


def test_import_a_file_with_the_keyboard(demo, login, live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login("it")
    page.goto(f"{live_server.url}/inventory/import/")
    keys = KeyboardUser(page)
    keys.around("the import page")
    keys.tab_to("#import-form input[type=file]")
    rows = [SV_HEADERS, *(sv_row(f"HB-KB-{n}", model="ThinkCentre M70q Gen 4") for n in (1, 2))]
    # The file chooser is the system's dialog; the file is given to the focused input.
    page.locator("#import-form input[type=file]").set_input_files(
        {"name": "tangentbord.csv", "mimeType": "text/csv", "buffer": csv_bytes(rows)}
    )
    expect(page.locator("#import-form input[type=file]")).to_be_focused()
    keys.tab_to("#import-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inventory/import/[0-9a-f-]+/$"))
    expect(page.locator("tr.import-row--new")).to_have_count(2)

    keys = KeyboardUser(page)
    keys.around("the import preview")
    keys.tab_to("#confirm-form button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/inventory/assets/$"))
    announced(page, "tangentbord.csv")
    assert sorted(Asset.objects.filter(tag__startswith="HB-KB-").values_list("tag", flat=True)) == [
        "HB-KB-1",
        "HB-KB-2",
    ]


# Reflow and text size

# Controls and headings in the main content that are shown (not in a closed panel).
SHOWN = """(root, selector) => [...root.querySelectorAll(selector)].filter(el => {
  const box = el.getBoundingClientRect();
  // checkVisibility: not in a closed <details> (content-visibility), not hidden.
  return box.width > 0 && box.height > 0 && !el.closest('.visually-hidden')
    && el.checkVisibility({visibilityProperty: true, opacityProperty: true});
})"""

# Controls out of the viewport, or cut off by a box that clips them; a table's own
# scroll box may hold more than it shows (WCAG 1.4.10 lets a data table scroll).
CUT_OFF = (
    """root => {
  const shown = ("""
    + SHOWN
    + """)(root, 'a, button, input, select, textarea, summary, h1, h2, h3, .button, .status');
  const out = [];
  for (const el of shown) {
    if (el.closest('.table-wrap')) continue;
    const box = el.getBoundingClientRect();
    const name = `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '').trim()
      .replace(/\\s+/g, ' ').slice(0, 30)}"`;
    if (box.left < -0.5 || box.right > window.innerWidth + 0.5) {
      out.push(`${name} spans ${Math.round(box.left)}-${Math.round(box.right)} px`);
      continue;
    }
    for (let n = el.parentElement; n && n !== document.body; n = n.parentElement) {
      const s = getComputedStyle(n);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const frame = n.getBoundingClientRect();
      if (box.left < frame.left - 0.5 || box.right > frame.right + 0.5) {
        out.push(`${name} is cut off by ${n.tagName.toLowerCase()}.${n.className}`);
      }
      break;
    }
    const clipped = (el.tagName === 'BUTTON' || el.classList.contains('button'))
      && el.scrollWidth > el.clientWidth + 1;
    if (clipped) out.push(`${name}: its text is wider than the button`);
  }
  // A box whose content is wider than itself spills or hides that content.
  for (const box of root.querySelectorAll(
    '.card, fieldset, .filters, .page-head, .actions, .form-actions, .messages, form')) {
    if (box.closest('.table-wrap') || box.getBoundingClientRect().width === 0) continue;
    if (box.scrollWidth > box.clientWidth + 1) {
      out.push(`${box.tagName.toLowerCase()}.${box.className} holds content `
        + `${box.scrollWidth} px wide in ${box.clientWidth} px`);
    }
  }
  return out;
}"""
)

# Pairs of headings and controls whose boxes overlap (one inside the other is fine).
OVERLAPS = (
    """root => {
  const shown = ("""
    + SHOWN
    + """)(root, 'h1, h2, h3, label, legend, input:not([type=hidden]), select, textarea, '
      + 'button, .button, summary, .status, .results-count');
  const boxes = shown.map(el => [el, el.getBoundingClientRect()]);
  const out = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (w > 1 && h > 1) {
        const name = el => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '')
          .trim().replace(/\\s+/g, ' ').slice(0, 25)}"`;
        out.push(`${name(a)} and ${name(b)} overlap by ${Math.round(w)}x${Math.round(h)} px`);
      }
    }
  }
  return out;
}"""
)


def reflow_pages() -> dict[str, str]:
    # The richest case: sourcing, quotes in, a move with something still missing.
    case = ProcurementCase.objects.get(title__startswith="Ersätta åtta publika datorer")
    return {
        "the asset list": "/inventory/assets/?per_page=100",
        "the case list": "/procurement/cases/",
        "a case page": case.get_absolute_url(),
    }


def check_layout(page, label: str):
    scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll_width <= width, f"{label} scrolls sideways: {scroll_width} px in {width} px"
    main = page.locator("main")
    cut_off = main.evaluate(CUT_OFF)
    assert cut_off == [], f"{label}: " + "; ".join(cut_off)
    overlaps = main.evaluate(OVERLAPS)
    assert overlaps == [], f"{label}: " + "; ".join(overlaps)


def check_pages(page, live_server, label: str):
    for name, path in reflow_pages().items():
        page.goto(live_server.url + path)
        check_layout(page, f"{name} {label}")
        for header in ("header.site-header", "footer.site-footer"):
            cut_off = page.locator(header).evaluate(CUT_OFF)
            assert cut_off == [], f"{name} {label}, {header}: " + "; ".join(cut_off)
        # The filter panel is closed on a narrow screen; open it, it must fit too.
        if page.locator(".filters details:not([open])").count():
            page.locator(".filters summary").press("Enter")
            expect(page.locator(".filters details")).to_have_attribute("open", "")
            check_layout(page, f"{name} {label} with the filters open")


def test_pages_reflow_at_320_px(demo, login, live_server, page):
    page.set_viewport_size(MOBILE)
    login("it")
    check_pages(page, live_server, "at 320 px")


def test_pages_take_text_at_200_percent(demo, login, live_server, page):
    """The browser's text size at 200 % (32 px instead of 16), at 1280 px."""
    page.set_viewport_size(WIDE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    login("it")
    sizes = page.evaluate(
        "[getComputedStyle(document.documentElement).fontSize, "
        "getComputedStyle(document.querySelector('h1')).fontSize]"
    )
    assert sizes == ["32px", "56px"], f"the text is not at 200 %: {sizes}"
    check_pages(page, live_server, "with text at 200 %")


def test_pages_take_a_root_font_size_of_200_percent(demo, login, live_server, page):
    """The other way to double the text: the root's font size set from a script (CSSOM,
    which the CSP allows, unlike a style attribute in the HTML). Media queries do not
    follow it, so the wide layout is kept with twice the text."""
    page.set_viewport_size(WIDE)
    login("it")
    for name, path in reflow_pages().items():
        page.goto(live_server.url + path)
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        size = page.evaluate("getComputedStyle(document.documentElement).fontSize")
        assert size == "32px", f"the root font size is {size}"
        check_layout(page, f"{name} with the root font at 200 %")
