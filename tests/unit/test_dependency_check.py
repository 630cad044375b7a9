"""The startup check of the replaced private parts, against the dependencies actually installed."""

import ast
import importlib.metadata
import re
from pathlib import Path

from visualizer_server.dependency_check import HOOKS, Hook, check_patches, problems
from visualizer_server.view.components import youtube


def test_every_replaced_part_is_still_reached_in_the_installed_versions():
    assert problems() == []
    check_patches()  # no SystemExit


def test_a_hook_the_dependency_no_longer_uses_is_a_sentence_saying_what_to_install():
    renamed = Hook("python-engineio", HOOKS[3].caller, ("_async", "_websocket_class"), "the websocket class")
    [sentence] = problems((renamed,))
    version = importlib.metadata.version("python-engineio")
    assert sentence.startswith(f"python-engineio {version} no longer uses _websocket_class in Socket._upgrade_websocket")
    assert "install 'python-engineio<" in sentence


def test_every_patched_distribution_has_an_upper_bound():
    requirements = importlib.metadata.requires("visualizer-server")
    for distribution in {hook.distribution for hook in HOOKS}:
        [requirement] = [req for req in requirements if re.match(rf"{distribution}(\[[\w,]+\])?\s*[<>=]", req, re.IGNORECASE)]
        assert "<" in requirement, requirement


def _private_names_set_on_library_objects(source: str) -> set[str]:
    """Every ``x._name = ...`` in ``source`` whose ``x`` is not ``self``: a library object's private part."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        for target in getattr(node, "targets", ()):
            owner = getattr(target, "value", None)
            if isinstance(target, ast.Attribute) and target.attr.startswith("_") and getattr(owner, "id", None) != "self":
                names.add(target.attr)
    return names


def test_every_private_name_the_youtube_components_set_is_covered_by_a_hook():
    covered = {name for hook in HOOKS for name in hook.names}
    folder = Path(youtube.__file__).parent
    set_there = set().union(*(_private_names_set_on_library_objects(path.read_text()) for path in folder.glob("*.py")))
    assert "_in_error_state" in set_there  # the uploader continues a saved upload session through it
    assert set_there <= covered
