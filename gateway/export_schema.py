"""``python -m gateway.export_schema [PATH]``: writes the schema's SDL (default docs/schema.graphql).

Frontend teams review every schema change as a diff of that file; ``tests/gateway`` fails when
the schema changes and the file does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gateway.schema import build_schema
from gateway.settings import GatewaySettings

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "schema.graphql"


def schema_sdl() -> str:
    # Introspection on or off changes no type, so any settings print the same schema.
    return build_schema(GatewaySettings()).as_str().rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_sdl(), encoding="utf-8")
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
