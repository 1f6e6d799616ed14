"""Malformed input on every way in: JSON nested too deeply (API bodies, the import, the page's import form),
numbers of hundreds or thousands of digits and numbers JSON does not have (the post page's form, the CSV
upload and its confirmation, the metrics API), and CSV files without a record. Each is answered with a 4xx
that names the problem, and nothing changes."""
import io
import json
import re

import pytest

from gtm.extensions import db
from gtm.services import exports, jsonsafe

from tests.kit.results import DAY, HX, first_post, stored, upload
from tests.kit.written import campaign, planned  # noqa: F401  (fixtures)


def counts() -> dict:
    """The rows of every table, so a refused request is seen to change nothing anywhere."""
    db.session.expire_all()
    return {mapper.class_.__name__: db.session.query(mapper.class_).count() for mapper in db.Model.registry.mappers}


DEEP_BODIES = {
    "arrays": "[" * 100_000,
    "objects": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "closed arrays": "[" * 5_000 + "]" * 5_000,
    # Under Python's recursion limit, over gtm's.
    "just over the limit": "[" * (jsonsafe.DEPTH_MAX + 1) + "]" * (jsonsafe.DEPTH_MAX + 1),
    "inside an object": '{"metrics": ' + "[" * 300 + "]" * 300 + "}",
}


def body_routes(api) -> list[str]:
    """The POST paths of /api that take a JSON body, from the served OpenAPI document."""
    document = api.client.get("/api/openapi.json").get_json()
    return [path for path, operations in document["paths"].items()
            if "requestBody" in operations.get("post", {})]


def too_deep(answer: dict) -> bool:
    return "nested too deeply" in answer["error"] and f"at most {jsonsafe.DEPTH_MAX}" in answer["error"]


@pytest.mark.parametrize("shape", list(DEEP_BODIES))
def test_a_body_nested_too_deeply_is_400_on_every_api_route_that_reads_one(api, campaign, shape):
    paths = body_routes(api)
    assert "/api/campaigns/import" in paths and "/api/campaigns/{id}/metrics" in paths
    before = counts()
    for path in paths:
        # The body is refused before anything is looked up: the other ids need not name anything.
        url = re.sub(r"\{(\w+)\}", lambda name: {"id": str(campaign.id), "kind": "competitors", "label": "A"}.get(
            name[1], "1"), path)
        status, answer = api.post(url, data=DEEP_BODIES[shape], content_type="application/json")
        assert status == 400 and too_deep(answer) and answer["detail"], (url, status, answer)
    assert counts() == before


def test_a_body_at_the_depth_limit_is_read(api, campaign):
    nested = "[" * (jsonsafe.DEPTH_MAX - 1) + "]" * (jsonsafe.DEPTH_MAX - 1)
    status, answer = api.post(f"/api/campaigns/{campaign.id}/metrics", data='{"metrics": ' + nested + "}",
                              content_type="application/json")
    # Read, and judged by the metrics rules: the row is not an object.
    assert status == 422 and answer["detail"] == {"metrics.0.row": "Each metric must be an object."}, answer


def test_brackets_inside_text_are_not_nesting():
    text = "[" * 10_000 + "{" * 10_000
    assert jsonsafe.loads(json.dumps({"brief": text, "tags": [text]})) == {"brief": text, "tags": [text]}
    assert jsonsafe.loads(json.dumps({"brief": text}).encode("utf-16")) == {"brief": text}


@pytest.mark.parametrize("shape", ["arrays", "objects", "just over the limit"])
def test_an_import_nested_too_deeply_creates_nothing_on_the_page_or_the_api(auth_client, api, campaign, shape):
    before = counts()
    status, answer = api.post("/api/campaigns/import", data=DEEP_BODIES[shape], content_type="application/json")
    assert status == 400 and too_deep(answer), answer
    for headers in ({}, HX):
        response = auth_client.post("/campaigns/import", headers=headers, content_type="multipart/form-data",
                                    data={"export": (io.BytesIO(DEEP_BODIES[shape].encode()), "deep.json")})
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and "nested too deeply" in text and 'id="export-error"' in text
    assert counts() == before


def test_the_import_names_numbers_it_cannot_take(api, campaign):
    doc = json.loads(exports.export(campaign.workspace_id, campaign.id, "json").data)
    raw = json.dumps(doc).replace('"number": 1,', '"number": ' + "1" * 5000 + ",", 1)
    before = counts()
    status, answer = api.post("/api/campaigns/import", data=raw, content_type="application/json")
    assert status == 422 and answer["detail"] == {"phases.0.number": "A number has at most 1,000 digits "
                                                                     "(this has 5,000)."}, answer
    assert counts() == before


# --- Numbers in metrics -------------------------------------------------------------------------------

FORM = {"variant": "A", "date": DAY, "impressions": "900", "clicks": "9", "conversions": "0", "spend": "1.00"}
BAD_NUMBERS = [
    ("impressions", "9" * 500, "Impressions is at most 2,000,000,000"),
    ("impressions", "9" * 5000, "Impressions is at most 2,000,000,000"),
    ("impressions", "0" * 5000 + "9" * 5000, "Impressions is at most 2,000,000,000"),
    ("clicks", "1" + "0" * 4400, "Clicks is at most 2,000,000,000"),
    ("conversions", "9" * 5000, "Conversions is at most 2,000,000,000"),
    ("impressions", "1e999", "whole number"),
    ("impressions", "NaN", "whole number"),
    ("impressions", "Infinity", "whole number"),
    ("impressions", "-0", "cannot be negative"),
    ("spend", "1" * 400 + ".5", "Spend is at most 999,999,999,999.99"),
    ("spend", "1" * 29, "Spend is at most 999,999,999,999.99"),
    ("spend", "1" * 5000, "Spend is at most 999,999,999,999.99"),
    ("spend", "0." + "0" * 5000 + "1", "at most 2 decimals"),
    ("spend", "1e999", "at most 2 decimals"),
    ("spend", "NaN", "at most 2 decimals"),
    ("spend", "-Infinity", "cannot be negative"),
    ("spend", "-0", "cannot be negative"),
]


@pytest.mark.parametrize("field, value, words", BAD_NUMBERS)
def test_a_number_that_cannot_be_taken_is_named_on_the_form_in_a_csv_and_in_the_api(auth_client, api, campaign,
                                                                                    planned, field, value, words):
    post = first_post(planned)
    before = counts()
    # The post page's form, as a page and as htmx: the field is marked, with the message beside it.
    for headers in ({}, HX):
        response = auth_client.post(f"/campaigns/{campaign.id}/posts/{post['id']}/metrics",
                                    data={**FORM, field: value}, headers=headers)
        text = response.get_data(as_text=True)
        assert response.status_code == 422 and words in text, text[:300]
        assert f'name="{field}"' in text and 'aria-invalid="true"' in text
    # A CSV: the upload's preview names the row, and posting its text anyway is refused too.
    values = {"post": post["key"], **FORM, field: value}
    data = ("post,variant,date,impressions,clicks,conversions,spend\n"
            + ",".join(values[name] for name in ("post", "variant", "date", "impressions", "clicks", "conversions",
                                                 "spend")) + "\n").encode()
    response = upload(auth_client, campaign, data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and words in text and "1 of 1 rows need attention" in text, text[:300]
    response = auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": data.decode()})
    assert response.status_code == 422 and "nothing was recorded" in response.get_data(as_text=True)
    # The API, with the number as text.
    status, answer = api.post(f"/api/campaigns/{campaign.id}/metrics",
                              json={"metrics": [{"post_id": post["id"], **FORM, field: value}]})
    assert status == 422 and words in answer["detail"][f"metrics.0.{field}"], answer
    assert counts() == before and stored() == []


@pytest.mark.parametrize("field, literal, words", [
    ("impressions", "9" * 5000, "at most 1,000 digits (this has 5,000)"),
    ("impressions", "-" + "9" * 5000, "at most 1,000 digits"),
    ("clicks", "9" * 500, "Clicks is at most 2,000,000,000"),
    ("conversions", "1" * 4301, "at most 1,000 digits"),
    ("impressions", "1e999", "1e999 is too large a number."),
    ("impressions", "-1e999", "too large a number"),
    ("spend", "1" * 5000 + ".5", "too large a number"),
    ("spend", "1" * 400, "Spend is at most 999,999,999,999.99"),
    ("spend", "1" * 300 + ".5", "amount"),
    ("impressions", "NaN", "NaN is not a number JSON has."),
    ("spend", "Infinity", "Infinity is not a number JSON has."),
    ("clicks", "-Infinity", "-Infinity is not a number JSON has."),
    ("impressions", "1.5", "whole number"),
    ("spend", "-0.0", "cannot be negative"),
])
def test_json_numbers_the_parser_or_the_rules_refuse_are_422_naming_the_field(api, campaign, planned, field,
                                                                               literal, words):
    row = {"post_id": first_post(planned)["id"], "variant": "A", "date": DAY, "impressions": 900, "clicks": 9,
           "conversions": 0, "spend": "1.00", field: "@"}
    raw = json.dumps({"metrics": [row]}).replace('"@"', literal)
    before = counts()
    status, answer = api.post(f"/api/campaigns/{campaign.id}/metrics", data=raw, content_type="application/json")
    assert status == 422 and words in answer["detail"][f"metrics.0.{field}"], answer
    assert counts() == before and stored() == []


def test_numbers_json_cannot_take_are_named_on_every_body(api, campaign):
    status, answer = api.post("/api/campaigns", data='{"name": ' + "7" * 5000 + ', "budget": NaN}',
                              content_type="application/json")
    assert status == 422 and set(answer["detail"]) == {"name", "budget"}, answer
    status, answer = api.post("/api/campaigns", data="9" * 5000, content_type="application/json")
    assert status == 422 and set(answer["detail"]) == {"body"}, answer
    assert counts()["Campaign"] == 1


# --- CSV files without a record ------------------------------------------------------------------------

@pytest.mark.parametrize("data, words", [
    (b"", "The file is empty."),
    (b"\n", "The file is empty."),
    (b"\r\n", "The file is empty."),
    (b"\r\n\r\n\r\n", "The file is empty."),
    (b"\xef\xbb\xbf", "The file is empty."),
    (b"\xef\xbb\xbf\r\n", "The file is empty."),
    (b" \t ", "The file is empty."),
    (b",,,,", "The file has no values, only separators or blank cells."),
    (b",,,,\r\n,,,,\r\n", "The file has no values, only separators or blank cells."),
    (b";;;;\n", "The file has no values, only separators or blank cells."),
    (b' , ,"", \n', "The file has no values, only separators or blank cells."),
    (b"post,variant,date,impressions,clicks,conversions,spend", "column names but no rows of numbers"),
    (b"post,variant,date,impressions,clicks,conversions,spend\n,,,,,,\n\n", "column names but no rows of numbers"),
    (b"\xef\xbb\xbfpost;variant;date;impressions;clicks\r\n", "column names but no rows of numbers"),
])
def test_a_csv_without_a_record_is_422_with_a_clear_message(auth_client, campaign, planned, data, words):
    before = counts()
    response = upload(auth_client, campaign, data)
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    text = data.decode("utf-8")
    response = auth_client.post(f"/campaigns/{campaign.id}/results/import", data={"csv": text})
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert counts() == before and stored() == []


# --- Text that is not Unicode ----------------------------------------------------------------------------

@pytest.mark.parametrize("path, body, field", [
    ("/api/campaigns", '{"name": "\\ud800", "product": "x"}', "name"),
    ("/api/campaigns", '{"name": "Bloom", "competitors": ["ok", "bad \\udfff"]}', "competitors.1"),
    ("/api/campaigns", '{"name": "Bloom", "\\ud83d": 1}', "body"),
    ("/api/campaigns/{id}/chat", '{"message": "hello \\ud83d"}', "message"),
    ("/api/campaigns/{id}/strategy", '{"direction": "\\udc00bolder"}', "direction"),
])
def test_half_a_surrogate_pair_in_json_text_is_422_naming_the_field(api, campaign, path, body, field):
    before = counts()
    status, answer = api.post(path.format(id=campaign.id), data=body, content_type="application/json")
    assert status == 422 and answer["detail"] == {field: jsonsafe.NOT_UNICODE}, answer
    # A whole pair is one character, and is fine.
    assert jsonsafe.loads('{"emoji": "\\ud83d\\ude00"}') == {"emoji": "😀"}
    assert counts() == before


def test_an_import_with_half_a_surrogate_pair_creates_nothing(api, campaign):
    doc = json.loads(exports.export(campaign.workspace_id, campaign.id, "json").data)
    doc["campaign"]["brief"] = "@"
    raw = json.dumps(doc).replace('"@"', '"Spring \\ud800"')
    before = counts()
    status, answer = api.post("/api/campaigns/import", data=raw, content_type="application/json")
    assert status == 422 and answer["detail"] == {"campaign.brief": jsonsafe.NOT_UNICODE}, answer
    assert counts() == before
