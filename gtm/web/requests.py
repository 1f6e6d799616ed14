"""The request class: JSON bodies read with the refusals of gtm.services.jsonsafe, form fields with each line
break as one character, and larger bodies allowed only where a file is uploaded."""
import flask

from ..services import imports, jsonsafe
from ..services.results import CSV_MAX_BYTES

# The endpoints that take an uploaded export: they read bodies up to the import limit plus room for the
# form around the file, so a file a little too large gets the service's message, next to the file field.
UPLOAD_ENDPOINTS = ("exports.import_campaign", "api.import_campaign")
# The metrics CSV: the upload, and its confirmation, which carries the file's text back.
CSV_ENDPOINTS = ("results.upload", "results.confirm")


class _BodyJson:
    """What Request.get_json parses with (gtm.services.jsonsafe): a body nested too deeply is refused, and one
    with numbers or text that cannot be taken is refused naming their fields. The refusals are ServiceErrors,
    not ValueErrors, so even get_json(silent=True) lets them through to the error handlers instead of reading
    them as a body that is not JSON."""

    loads = staticmethod(jsonsafe.loads)
    dumps = staticmethod(flask.json.dumps)


class Request(flask.Request):
    def _load_form_data(self) -> None:
        """Form fields with their line breaks as one character each: a browser sends a textarea's breaks as CR LF,
        while its maxlength and the count under the field (gtm.js) take each as one, so the services' limits
        count what the person saw."""
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form and any("\r" in value for _, value in form.items(multi=True)):
            self.__dict__["form"] = self.parameter_storage_class(
                (name, value.replace("\r\n", "\n")) for name, value in form.items(multi=True))

    @property
    def json_module(self):
        return _BodyJson

    @json_module.setter
    def json_module(self, value) -> None:
        """Flask hands each request the app's JSON provider; bodies are read with _BodyJson all the same."""

    @property
    def max_content_length(self) -> int | None:
        if self.endpoint in UPLOAD_ENDPOINTS:
            return imports.IMPORT_MAX_BYTES * 2
        if self.endpoint in CSV_ENDPOINTS:
            return CSV_MAX_BYTES * 2
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        flask.Request.max_content_length.fset(self, value)
