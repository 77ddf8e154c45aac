"""The action taxonomy: the built-in tree, error mapping, extension by file and per workspace."""

from __future__ import annotations

import json

import pytest

from store.base import Store
from tools.errors import InvalidInput
from tools.taxonomy import (
    Category,
    CategoryIn,
    Taxonomy,
    add_category,
    default_taxonomy,
    describe_taxonomy,
    load_taxonomy_file,
    taxonomy_for,
    within,
)


def test_the_built_in_taxonomy_is_a_well_formed_tree():
    taxonomy = default_taxonomy()
    assert taxonomy.domains() == ["python"]
    for category in taxonomy.categories.values():
        assert category.name and category.description
        assert category.parent is None or category.parent in taxonomy
    always = [c.id for c in taxonomy.in_domain("python") if c.always]
    assert always[:2] == ["python", "python.spec.understand"] and "python.tests.write" in always


@pytest.mark.parametrize(
    ("error_category", "expected"),
    [
        ("runtime.index", "python.edge_cases.boundaries"),
        ("runtime.key", "python.core.collections"),
        ("runtime.zero-division", "python.edge_cases.numeric"),
        ("runtime.attribute.none", "python.edge_cases.none"),
        ("runtime.name", "python.deps.imports"),
        ("runtime.name.unbound", "python.core.implement"),
        ("runtime.value", "python.io.parse"),
        ("runtime.io", "python.io.files"),
        ("static.mutable-default", "python.design.interface"),
        ("static.undefined-name", "python.deps.imports"),
        ("static.bare-except", "python.errors.handle"),
        ("static.unused-variable", "python.style.lint"),
        ("syntax", "python.style.lint"),
        ("logic.assertion", "python.core.implement"),
        ("performance.quadratic", "python.perf.optimize"),
        ("runtime.something-new", "python.core.implement"),
        ("other", "python"),
    ],
)
def test_error_categories_map_to_the_step_they_usually_come_from(error_category, expected):
    assert default_taxonomy().for_error(error_category) == [expected]


def test_scopes_cover_whole_dotted_segments_only():
    assert within("python.io.parse", "python.io") and within("python.io", "python.io")
    assert not within("python.iox", "python.io") and not within("python.io", "python.io.parse")


def test_keywords_match_whole_words_case_insensitively():
    taxonomy = default_taxonomy()
    found = {
        d.category.id: d.matched
        for d in taxonomy.detect("PARSE the Comma-Separated input; o(n) please", domain="python")
    }
    assert found["python.io.parse"] == ("parse", "comma-separated")
    assert "o(n)" in found["python.perf.optimize"]
    assert "python.io.files" not in {
        d.category.id for d in taxonomy.detect("profile the code", domain="python")
    }


def test_a_json_file_extends_and_overrides_the_built_in_taxonomy(tmp_path):
    path = tmp_path / "taxonomy.json"
    path.write_text(
        json.dumps(
            {
                "categories": [
                    {"id": "python.web", "name": "Web", "description": "Talking to web services."},
                    {
                        "id": "python.web.http",
                        "name": "Call the HTTP API",
                        "description": "Timeouts, retries, status codes.",
                        "keywords": ["http", "endpoint"],
                        "error_categories": ["runtime.http"],
                        "phase": "python.core.implement",
                    },
                    {
                        "id": "python.tests.write",
                        "name": "Write pytest tests",
                        "description": "Use pytest.",
                        "always": True,
                    },
                ]
            }
        )
    )
    taxonomy = load_taxonomy_file(str(path))
    assert taxonomy.get("python.web.http").phase == "python.core.implement"
    assert taxonomy.for_error("runtime.http.timeout") == ["python.web.http"]
    assert taxonomy.get("python.tests.write").name == "Write pytest tests"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "cannot be read as JSON"),
        ('{"items": []}', "must hold"),
        (
            '{"categories": [{"id": "python.x.y", "name": "n", "description": "d"}]}',
            "needs its parent 'python.x'",
        ),
        ('{"categories": [{"id": "Python", "name": "n", "description": "d"}]}', "lowercase dotted words"),
        ('{"categories": [{"id": "python.z", "name": "n"}]}', "category #0"),
    ],
)
def test_a_bad_taxonomy_file_names_the_problem(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        load_taxonomy_file(str(path))


def test_a_new_domain_can_be_added():
    taxonomy = default_taxonomy().extend([Category("rust", "Solve the task", "A Rust task.", always=True)])
    assert taxonomy.domains() == ["python", "rust"]
    with pytest.raises(ValueError, match="unknown phase"):
        Taxonomy.of([Category("go", "Go", "d", phase="go.nowhere")])


@pytest.mark.anyio
async def test_workspace_categories_extend_only_their_workspace(store: Store, workspace: str) -> None:
    added = await add_category(
        CategoryIn(id="python.io.http", name="Call the HTTP API", description="Timeouts.", keywords=["http"]),
        store=store,
        workspace=workspace,
    )
    assert added.parent == "python.io"
    assert "python.io.http" in await taxonomy_for(store=store, workspace=workspace)
    assert "python.io.http" not in await taxonomy_for(store=store, workspace="other")
    with pytest.raises(InvalidInput, match=r"needs its parent 'python\.nope'"):
        await add_category(
            CategoryIn(id="python.nope.x", name="n", description="d"), store=store, workspace=workspace
        )


def test_the_taxonomy_is_described_as_an_indented_tree():
    view = describe_taxonomy(default_taxonomy())
    assert view.categories[0].id == "python"
    assert "  - `python.io` Input and output" in view.markdown
    assert "    - `python.io.parse` Parse the input" in view.markdown
