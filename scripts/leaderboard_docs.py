"""Regenerate the leaderboard images of the README and docs/leaderboard.md from the published results.

    python scripts/leaderboard_docs.py --results MTEB_RESULTS/results

Builds the C-MTEB leaderboard of the published result files under --results (the mteb results
repository's layout; the README's images use nine models' files), then writes
docs/img/leaderboard.png (index.html in headless Chromium, Debian's `chromium`) and
docs/img/leaderboard-types.png (the per-type plot). Prints the C-MTEB-35 summary table shown in
docs/leaderboard.md (Reproducing the published table).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cmteb.leaderboard.build import build_leaderboard  # noqa: E402
from cmteb.leaderboard.publish import publish  # noqa: E402
from cmteb.leaderboard.tables import summary_lines  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars"]


def screenshot(page: Path, target: Path, size: str = "1400,760") -> None:
    browser = shutil.which("chromium")
    if browser is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--window-size={size}", f"--screenshot={target}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True,
                        help="published result files, {org__model}/{revision}/{Task}.json")
    args = parser.parse_args()
    images = ROOT / "docs" / "img"
    images.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "lb"
        board = build_leaderboard([args.results], "C-MTEB")
        publish(board, out, generated="generated from published result files by scripts/leaderboard_docs.py")
        screenshot(out / "index.html", images / "leaderboard.png")
        shutil.copyfile(out / "plots" / "types.png", images / "leaderboard-types.png")
    print("\n".join(summary_lines(build_leaderboard([args.results], "C-MTEB-35"))))
    print(f"wrote {images / 'leaderboard.png'} and {images / 'leaderboard-types.png'}", file=sys.stderr)


if __name__ == "__main__":
    main()
