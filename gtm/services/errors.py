"""Errors a service raises; routes turn them into a form message or a JSON error."""


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str, detail=None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(ServiceError):
    status = 404

    def __init__(self, what: str = "Not found"):
        super().__init__(what)


class Invalid(ServiceError):
    """Input that breaks a rule. `fields` maps each field name to what is wrong with it."""

    status = 422

    def __init__(self, fields: dict[str, str], message: str = "Some fields need attention."):
        super().__init__(message, detail=fields)
        self.fields = fields


class Conflict(ServiceError):
    status = 409


class Unavailable(ServiceError):
    status = 503
