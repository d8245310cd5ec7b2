"""Look-up chains and what an answer says about an object's space (no network)."""

from __future__ import annotations

from analyzer.connectors.lookups import KINDS, Found, chain, next_kind, parse


def _names(hint: str | None, types: tuple[str, ...] = ()) -> list[str]:
    return [k.name for k in chain(hint, types)]


def test_a_type_hint_has_its_own_look_up_and_an_unknown_type_tries_batched_ones_first() -> None:
    assert _names("page") == ["pages"]
    assert _names("comment") == ["footer-comment", "inline-comment"]
    assert _names(None, ("ac:x:t",)) == ["pages", "blogposts", "custom-content:ac:x:t", "attachment", "footer-comment",
                                         "inline-comment", "custom-content", "whiteboard", "database", "folder"]
    assert _names("custom_content", ("a", "b")) == ["custom-content:a", "custom-content:b", "custom-content"]
    assert [k.batched for k in chain(None)][:3] == [True, True, False]


def test_next_look_up_skips_what_was_tried_and_what_the_id_cannot_be() -> None:
    assert next_kind("123", None, ["pages"]).name == "blogposts"
    assert next_kind("att123", None, []).name == "attachment"  # not a number: no batched look-up takes it
    assert next_kind("att123", "page", []) is None
    assert next_kind("123", "page", ["pages"]) is None


def test_batch_and_single_paths() -> None:
    assert KINDS["pages"].batch_path(["1", "2"]) == (
        "/wiki/api/v2/pages?id=1,2&limit=250&status=current&status=archived&status=trashed&status=deleted")
    assert chain("custom_content", ("ac:app:t",))[0].batch_path(["9"]) == (
        "/wiki/api/v2/custom-content?id=9&limit=250&type=ac%3Aapp%3At")
    assert KINDS["attachment"].single_path("att7") == "/wiki/api/v2/attachments/att7"


def test_the_space_comes_from_the_space_id_the_web_ui_link_or_the_container() -> None:
    assert parse(KINDS["pages"], {"id": "1", "spaceId": "101"}) == Found("1", "page", space_id="101")
    board = {"id": "2", "parentId": None, "_links": {"webui": "/spaces/~5b10%3Aab/whiteboard/2"}}
    assert parse(KINDS["whiteboard"], board) == Found("2", "whiteboard", space_key="~5b10:ab")
    assert parse(KINDS["attachment"], {"id": "att3", "pageId": "1", "_links": {"webui": "/pages/viewpage.action"}},
                 "3") == Found("3", "attachment", parent_id="1", parent_type="page")
    assert parse(KINDS["inline-comment"], {"id": "4", "parentCommentId": "5"}) == Found(
        "4", "comment", parent_id="5", parent_type="inline_comment")
    assert parse(KINDS["folder"], {"id": "6", "parentId": "7", "parentType": "whiteboard"}) == Found(
        "6", "folder", parent_id="7", parent_type="whiteboard")
    orphan = parse(KINDS["database"], {"id": "8", "parentId": None})
    assert orphan == Found("8", "database") and not orphan.placed
    assert parse(KINDS["pages"], {"title": "no id"}) is None and parse(KINDS["pages"], None) is None
