"""Builds the Teams app package: the manifest filled in from configuration, with its two icons drawn here, in the zip an
administrator uploads to Teams."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from string import Template
from typing import Any

from PIL import Image, ImageDraw

from bot.settings import TeamsSettings

TEMPLATE = Path(__file__).resolve().parent.parent / "teams_app" / "manifest.template.json"
PACKAGE_NAME = "framework-assistant-teams.zip"
ACCENT = "#1F4E79"
_GUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_VERSION = re.compile(r"\d+\.\d+\.\d+")


def manifest(settings: TeamsSettings) -> dict[str, Any]:
    """The app manifest for this deployment; a clear ValueError when the configuration cannot make one."""
    app_id = settings.app_id
    if not app_id:
        raise ValueError(
            "TEAMS_APP_ID is not set: set it to the Microsoft App ID of the Azure bot registration "
            "before building the Teams app package."
        )
    values = {
        "bot_id": app_id,
        "manifest_id": settings.manifest_id,
        "version": settings.app_version,
        "website_url": settings.website_url,
        "accent_color": ACCENT,
    }
    for name, key in (("TEAMS_APP_ID", "bot_id"), ("TEAMS_MANIFEST_ID", "manifest_id")):
        if not _GUID.fullmatch(values[key]):
            raise ValueError(
                f"{name} must be a GUID such as 0a1b2c3d-0000-4000-8000-123456789abc, not {values[key]!r}."
            )
    if not _VERSION.fullmatch(values["version"]):
        raise ValueError(f"TEAMS_APP_VERSION must look like 1.0.0, not {values['version']!r}.")
    if not values["website_url"].startswith("https://"):
        raise ValueError(f"TEAMS_WEBSITE_URL must be an https:// address, not {values['website_url']!r}.")
    return _fill(json.loads(TEMPLATE.read_text(encoding="utf-8")), values)


def _fill(node: Any, values: Mapping[str, str]) -> Any:
    """The template with each ${name} in its string values replaced."""
    if isinstance(node, dict):
        return {key: _fill(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_fill(value, values) for value in node]
    return Template(node).substitute(values) if isinstance(node, str) else node


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def color_icon() -> bytes:
    """192x192: a white speech bubble with lines of text on the accent colour."""
    image = Image.new("RGBA", (192, 192), ACCENT)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((32, 40, 160, 130), radius=18, fill="white")
    draw.polygon([(60, 128), (88, 128), (56, 158)], fill="white")
    for top, right in ((62, 138), (80, 138), (98, 112)):
        draw.rounded_rectangle((54, top, right, top + 8), radius=4, fill=ACCENT)
    return _png(image)


def outline_icon() -> bytes:
    """32x32: the same bubble as a white outline on transparency, as Teams requires."""
    image = Image.new("RGBA", (32, 32), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((3, 5, 28, 21), radius=4, outline="white", width=2)
    draw.polygon([(8, 21), (13, 21), (7, 27)], fill="white")
    for top in (10, 15):
        draw.line((8, top, 23, top), fill="white", width=2)
    return _png(image)


def build_package(out_dir: Path, settings: TeamsSettings) -> Path:
    """Write the package zip (manifest.json, color.png, outline.png) into out_dir; return its path."""
    data = manifest(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / PACKAGE_NAME
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(data, indent=2, ensure_ascii=False))
        package.writestr(data["icons"]["color"], color_icon())
        package.writestr(data["icons"]["outline"], outline_icon())
    return target


def main(out_dir: Path, settings: TeamsSettings) -> None:
    """`python -m bot teams-package --out DIR`."""
    try:
        target = build_package(out_dir, settings)
    except ValueError as error:
        raise SystemExit(f"No Teams app package built: {error}") from None
    print(f"Teams app package: {target} (upload it in Teams: Apps > Manage your apps > Upload an app)")
