"""The startup check of the replaced private parts, against the dependencies actually installed."""

import importlib.metadata
import re

from visualizer_server.dependency_check import HOOKS, Hook, check_patches, problems


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
        [requirement] = [req for req in requirements if re.match(rf"{distribution}\s*[<>=]", req, re.IGNORECASE)]
        assert "<" in requirement, requirement
