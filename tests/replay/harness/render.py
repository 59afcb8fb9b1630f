"""The query under test: whatever `kqlsmith render` prints, unchanged."""

from __future__ import annotations

import subprocess
from pathlib import Path


class RenderError(Exception):
    pass


def render(kqlsmith: Path, profile: str, platform: str, sets: tuple[str, ...]) -> str:
    command = [str(kqlsmith), "render", "--profile", profile, "--platform", platform]
    for option in sets:
        command += ["--set", option]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise RenderError(f"cannot run {kqlsmith}: {e}") from None
    if done.returncode != 0:
        raise RenderError(f"`{' '.join(command[1:])}` exited with {done.returncode}: {done.stderr.strip()}")
    return done.stdout
