"""Render static/icons/icon.svg as the PNG icons the web app manifest names
(192 and 512 px; Android wants PNGs for the home screen), with the headless
Chromium of the browser tests. Run by ``make icons`` after changing the SVG;
the PNGs are committed."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "static" / "icons"
SIZES = (192, 512)
CHROMIUM = "/usr/bin/chromium"


def main():
    svg = (ICONS / "icon.svg").read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(f"<style>html,body{{margin:0}}svg{{display:block;width:{size}px;"
                             f"height:{size}px}}</style>{svg}")
            page.screenshot(path=str(ICONS / f"icon-{size}.png"), omit_background=True)
            page.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
