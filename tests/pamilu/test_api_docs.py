"""The OpenAPI schema and Swagger UI: signed-in users only, served offline."""

import pytest
import yaml  # PyYAML comes with drf-spectacular


@pytest.mark.outsider("api-schema", "api-docs")
def test_schema_and_docs_need_authentication(client, db):
    schema = client.get("/api/schema/")
    assert (schema.status_code, yaml.safe_load(schema.content)["code"]) == (
        401,
        "not_authenticated",
    )
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs.url.startswith("/accounts/login/")


def test_docs_served_offline_without_inline_script(client, personas):
    client.force_login(personas.reviewer)
    page = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "<script>" not in page and "<style>" not in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.content.decode()


@pytest.fixture
def schema(client, personas):
    client.force_login(personas.reviewer)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_describes_the_shared_error_format(schema):
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"status", "code", "detail", "errors"}
    item = schema["components"]["schemas"]["ErrorItem"]
    assert set(item["properties"]) == {"field", "code", "message"}
    units = schema["paths"]["/api/v1/units/{id}/"]["get"]["responses"]
    for code in ("401", "403", "404", "429"):
        assert units[code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
    assert "Retry-After" in units["429"]["headers"]


def test_schema_describes_imports_and_token_auth(schema):
    post = schema["paths"]["/api/v1/posts/import/"]["post"]
    assert set(post["requestBody"]["content"]) == {"multipart/form-data"}
    assert post["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportReport"
    }
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    params = [p["name"] for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"]]
    assert {"subtree", "ordering", "page", "page_size", "search"} <= set(params)
    subtree = next(
        p for p in schema["paths"]["/api/v1/units/"]["get"]["parameters"] if p["name"] == "subtree"
    )
    assert subtree["schema"] == {"type": "integer"}
