"""The API's documentation page: its endpoints and parameters read from the
generated OpenAPI schema (so the page cannot drift from the API), with the
example clients that the test suite runs."""

from __future__ import annotations

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "api" / "examples"
CLIENTS = [("curl", "client.sh", "Shell, with curl"),
           ("python", "client.py", "Python, with requests and pandas"),
           ("r", "client.R", "R, with httr2")]


def endpoints(schema: dict) -> list[dict]:
    """Each operation: {"path", "summary", "description", "parameters": [{"name", "where", "description", "values"}],
    "responses": [status codes]}, in the schema's order."""
    shown = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            shown.append({
                "id": operation["operationId"].replace("_", "-"), "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""), "description": operation.get("description", ""),
                "parameters": [_parameter(p) for p in operation.get("parameters", [])],
                "responses": sorted(operation.get("responses", {})),
            })
    return shown


def _parameter(parameter: dict) -> dict:
    schema = parameter.get("schema", {})
    values = schema.get("enum") or []
    return {"name": parameter["name"], "where": "path" if parameter["in"] == "path" else "query",
            "description": parameter.get("description", "").split("\n\n")[0],
            "values": ", ".join(str(v) for v in values if v not in ("", None))}


def clients() -> list[dict]:
    return [{"id": key, "title": title, "code": (EXAMPLES / name).read_text(encoding="utf-8")}
            for key, name, title in CLIENTS]
