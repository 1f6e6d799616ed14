"""Check /api answers against /api/openapi.json: the status is one the operation lists, and the body
matches that answer's schema exactly (a field the document does not name fails too)."""
import copy

from jsonschema import Draft202012Validator
from werkzeug.exceptions import HTTPException


def _closed(node):
    """Refuse undocumented fields in every object schema that lists its properties."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _closed(value)
    elif isinstance(node, list):
        for value in node:
            _closed(value)
    return node


class AnswerChecker:
    def __init__(self, document: dict):
        self.components = _closed(copy.deepcopy(document["components"]))
        self.operations = {operation["operationId"]: operation
                           for item in document["paths"].values() for operation in item.values()}

    def check(self, app, method: str, path: str, status: int, answer) -> None:
        """Fail unless the answer is what the document says this route answers with this status."""
        adapter = app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path.split("?")[0], method=method)
        except HTTPException:
            return  # no route (a 404 or 405 from the URL map itself): nothing to look up
        name = endpoint.rpartition(".")[2]
        assert name in self.operations, f"{method} {path} ({endpoint}) is not in the OpenAPI document"
        responses = self.operations[name]["responses"]
        assert str(status) in responses, f"{method} {path} answered {status}, which the document does not list"
        response = responses[str(status)]
        if "$ref" in response:
            response = self.components["responses"][response["$ref"].rpartition("/")[2]]
        if "content" not in response:
            assert answer is None, f"{method} {path} {status} has a body the document says it has not"
            return
        schema = response["content"]["application/json"]["schema"]
        validator = Draft202012Validator({**schema, "components": self.components},
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        problems = [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
                    for error in validator.iter_errors(answer)]
        assert not problems, f"{method} {path} {status} differs from the document: {problems}"
