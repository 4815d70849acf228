#!/usr/bin/env python3
"""Build the sample app's JAR (and an OBR holding it) without Maven.

Does what `mvn package` does for this app: filters the ${...} placeholders of
src/main/resources/atlassian-plugin.xml with the POM's values, writes the OSGi
manifest and packs target/hello-<version>.jar; with --obr also target/hello-<version>.obr.

    python examples/hello-app/build.py [--version 1.4.2] [--obr] [--out DIR]
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
POM = {
    "project.groupId": "com.example",
    "project.artifactId": "hello",
    "project.name": "Hello",
    "project.description": "Says hello from the top navigation bar.",
    "atlassian.plugin.key": "com.example.hello",
}
CLASS_BYTES = bytes.fromhex("cafebabe0000003d") + b"\x00" * 24


def filter_text(text: str, values: dict[str, str]) -> str:
    """Replace ${name} placeholders as Maven resource filtering does (unknown ones stay)."""
    return re.sub(r"\$\{([^}]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def build(version: str, out: Path, obr: bool) -> list[Path]:
    """Write the JAR (and OBR) into ``out``; return their paths."""
    values = {**POM, "project.version": version}
    descriptor = filter_text(
        (HERE / "src/main/resources/atlassian-plugin.xml").read_text(encoding="utf-8"), values
    )
    manifest = "\r\n".join(
        [
            "Manifest-Version: 1.0",
            "Created-By: examples/hello-app/build.py",
            f"Bundle-SymbolicName: {values['atlassian.plugin.key']}",
            f"Bundle-Version: {version}",
            f"Atlassian-Plugin-Key: {values['atlassian.plugin.key']}",
            "",
            "",
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    jar = out / f"hello-{version}.jar"
    with zipfile.ZipFile(jar, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", manifest)
        zf.writestr("atlassian-plugin.xml", descriptor)
        zf.writestr("com/example/hello/HelloServlet.class", CLASS_BYTES)
    built = [jar]
    if obr:
        obr_path = out / f"hello-{version}.obr"
        with zipfile.ZipFile(obr_path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("obr.xml", '<?xml version="1.0"?>\n<repository name="hello"/>\n')
            zf.write(jar, jar.name)
        built.append(obr_path)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default="1.4.2")
    parser.add_argument("--obr", action="store_true", help="also build an OBR holding the JAR")
    parser.add_argument("--out", type=Path, default=HERE / "target")
    args = parser.parse_args()
    for path in build(args.version, args.out, args.obr):
        print(f"built {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
