"""`make screenshot`: docs/dashboard.png, the top of the dashboard of the running suite (`make run`, then
`make demo`) as the dev admin key sees it, 1400 by 1500 CSS pixels (`--full` for the whole page).

    python -m deploy.screenshot [--gateway http://127.0.0.1:8000] [--key dev-admin-key] [--out docs/dashboard.png]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from deploy.browser import chromium, wait_for_state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--key", default="dev-admin-key", help="an API key of an analyst or above")
    parser.add_argument("--out", type=Path, default=Path("docs/dashboard.png"))
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1500, help="CSS pixels of the page shown (its top)")
    parser.add_argument("--full", action="store_true", help="the whole page, however tall")
    args = parser.parse_args(argv)
    with chromium(args.width, args.height) as driver:
        driver.get(f"{args.gateway}/dashboard/#token={args.key}")
        wait_for_state(driver, "complete")
        height = args.height
        if args.full:
            height = driver.execute_script("return document.documentElement.scrollHeight")
            driver.set_window_size(args.width, height)
            driver.execute_script("window.dispatchEvent(new Event('resize'))")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(args.out))
    print(f"wrote {args.out} ({args.width} x {height})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
