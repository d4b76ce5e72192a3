"""The browser tests' one system need: Debian's Chromium (Playwright drives it; its own browser downloads are not
used), with an emoji font so screenshots show what people see. Installed with apt-get when missing and this
process may (root); otherwise says what to run. `python -m tests.browser_deps` (the README's test command)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PACKAGES = ["chromium", "fonts-noto-color-emoji"]


def main() -> int:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return 0
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"browser tests: {CHROMIUM} is missing; install it with `sudo apt-get install -y {' '.join(PACKAGES)}`",
              file=sys.stderr)
        return 0  # the browser tests will say so too
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], check=False,
                          env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, **quiet)
    if done.returncode != 0:
        print(f"browser tests: apt-get could not install {' '.join(PACKAGES)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
