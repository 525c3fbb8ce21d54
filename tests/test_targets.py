"""targets.toml: the real list loads; bad entries are reported with line and field."""

from __future__ import annotations

import pytest

from crawler.targets import TargetsError, load_targets, select_targets


def test_real_target_list_loads():
    targets = load_targets()
    assert targets[0].id == "my-gov-uz"  # my.gov.uz first
    levels = [t.level for t in targets]
    assert levels.count("region") == 14
    assert levels.count("district") == 206
    ids = [t.id for t in targets]
    assert len(ids) == len(set(ids))
    bux = next(t for t in targets if t.id == "buxoro")
    assert bux.start_url == "https://gov.uz/oz/buxoro"
    assert bux.languages["ru"] == "https://gov.uz/ru/buxoro"
    assert "buxoro.uz" in bux.legacy_domains


def test_sections_of_one_host_do_not_overlap():
    targets = {t.id: t for t in load_targets()}
    bux, gov = targets["buxoro"], targets["gov-uz"]
    assert bux.contains("https://gov.uz/oz/buxoro/news/12")
    assert bux.contains("https://gov.uz/ru/buxoro/contacts")  # a language variant
    assert bux.language_of("https://gov.uz/ru/buxoro/contacts") == "ru"
    assert not bux.contains("https://gov.uz/oz/buxoro-tumani")  # path boundary
    assert not bux.contains("https://gov.uz/oz/samarqand")
    assert gov.contains("https://gov.uz/oz/about")
    assert not gov.contains("https://gov.uz/oz/buxoro/news")  # longest prefix wins


def _write(tmp_path, text):
    p = tmp_path / "t.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bad_url_reported_with_line_and_field(tmp_path):
    p = _write(tmp_path, '[[target]]\nid = "a"\nstart_url = "https://a.uz/"\n\n'
                         '[[target]]\nid = "b"\nname_uz = "B"\nstart_url = "ftp://b.uz/"\n')
    with pytest.raises(TargetsError) as ei:
        load_targets(p)
    assert ei.value.line == 8 and ei.value.field == "start_url"
    assert f"{p}:8" in str(ei.value)


def test_duplicate_id_and_unknown_field(tmp_path):
    p = _write(tmp_path, '[[target]]\nid = "a"\nstart_url = "https://a.uz/"\n'
                         '[[target]]\nid = "a"\nstart_url = "https://b.uz/"\n')
    with pytest.raises(TargetsError, match="already used"):
        load_targets(p)
    p = _write(tmp_path, '[[target]]\nid = "a"\nstart_url = "https://a.uz/"\ncolour = 1\n')
    with pytest.raises(TargetsError) as ei:
        load_targets(p)
    assert ei.value.field == "colour" and ei.value.line == 4


def test_bad_toml_and_scope_mismatch(tmp_path):
    with pytest.raises(TargetsError, match="not valid TOML"):
        load_targets(_write(tmp_path, "[[target]\nid='x'"))
    p = _write(tmp_path, '[[target]]\nid = "a"\nstart_url = "https://a.uz/x"\n'
                         'scope = "https://a.uz/y"\n')
    with pytest.raises(TargetsError) as ei:
        load_targets(p)
    assert ei.value.field == "scope"


def test_select_targets_unknown_id():
    targets = load_targets()
    assert [t.id for t in select_targets(targets, ["buxoro"])] == ["buxoro"]
    with pytest.raises(KeyError):
        select_targets(targets, ["nowhere"])
