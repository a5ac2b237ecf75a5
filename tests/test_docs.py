"""The manual stays honest: every command, option, config key and exit code is in README.md."""

from __future__ import annotations

import re
import tomllib

import click
import pytest

from kscrape import cli as cli_module
from kscrape.config import KEYS

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli_module.cli.commands)


def _long_options(command: click.Command) -> set[str]:
    return {opt for p in command.params for opt in getattr(p, "opts", []) if opt.startswith("--")}


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_a_readme_section_and_help(name: str):
    """Each command has a `### kscrape NAME` section and a help text."""
    assert f"### `kscrape {name}`" in README
    assert cli_module.cli.commands[name].help


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_of_every_command_is_documented(name: str):
    """No option exists that the README does not mention."""
    missing = {o for o in _long_options(cli_module.cli.commands[name]) if o not in README}
    assert missing == set()


def test_global_options_are_documented():
    """The group's own options are listed too."""
    assert {o for o in _long_options(cli_module.cli) if o not in README} == set()


def test_every_config_key_is_in_readme_and_config_toml():
    """config.toml lists every key with its default, and README's table names each one."""
    shipped = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))["kscrape"]
    assert set(shipped) == set(KEYS)
    assert [k for k in KEYS if f"| `{k}` |" not in README] == []


def test_exit_code_table_matches_the_code():
    """The README's exit-code table lists exactly the codes cli.py uses."""
    documented = {int(c) for c in re.findall(r"^\| (\d+) \|", README, flags=re.MULTILINE)}
    used = {cli_module.OK, cli_module.ERROR, cli_module.USAGE, cli_module.FETCH,
            cli_module.PARTIAL, cli_module.BLOCKED, cli_module.LOCKED, cli_module.PARSE,
            cli_module.STORE, cli_module.INTERRUPTED}
    assert documented == used


def test_ci_runs_the_readme_test_command():
    """.ci/run runs exactly the test command the quick start gives."""
    quick = README.split("## Quick start", 1)[1].split("```", 2)[1]
    test_line = next(line for line in quick.splitlines() if "pytest" in line)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_line.strip() in ci
