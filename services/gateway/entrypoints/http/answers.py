"""What the OpenAPI document says a route answers, without changing the answer.

The routes build their JSON as dicts, in API.md's shapes (the tests compare whole bodies). A
pydantic `response_model` would pass each answer through the model, dropping or adding keys;
`documented(Model)` names the model in the document only, so Swagger UI and ReDoc show the
fields while the handler's dict goes out as it is. The schemathesis test holds every model to
the real answers (response_schema_conformance)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

Item = TypeVar("Item")


def documented(model: type[BaseModel], status: int = 200, **response: Any) -> dict[str, Any]:
    """The route keywords that document `model` as the answer with `status` (`response`: more of
    that answer's OpenAPI, e.g. another content type)."""
    answer = {"model": model, "description": "Successful Response", **response}
    return {"status_code": status, "response_model": None, "responses": {status: answer}}


class PageOf(BaseModel, Generic[Item]):
    """A page of a list (API.md *Lists*)."""

    items: list[Item]
    next_page_token: str = Field(description="the next page's `page_token`; empty on the last page")
