"""Command line and explanations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tally_support import reference, require_shared

from voting.tally import read_pabulib, tally
from voting.tally.cli import main
from voting.tally.explain import explain

pytestmark = pytest.mark.own_db  # (the engine alone: no database)

REPO = Path(__file__).resolve().parents[2]


def test_cli_prints_ids_one_a_line(capsys: pytest.CaptureFixture[str]) -> None:
    shared = require_shared()
    name = "Poland_Swiecie_2023.pb"
    rc = main([str(shared / name), "--rule", "mes", "--sat", "cost", "--completion", "add1"])
    assert rc == 0
    out = capsys.readouterr().out.split()
    assert sorted(out) == sorted(reference()[name]["real_selected"])


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    shared = require_shared()
    name = "Poland_Gdynia_2020_Babie_Doly__small.pb"
    assert main([str(shared / name), "--rule", "greedy", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selected"] == ["4", "2", "1"]
    assert data["total_cost"] == 22395
    assert data["votes"] == {"4": 220, "2": 112, "1": 101}


def test_cli_outcome_is_the_same_with_and_without_explain(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # (without --explain no recorded MES run is made: the same outcome all the same)
    shared = require_shared()
    name = str(shared / "Poland_Swiecie_2023.pb")
    got = []
    for extra in ([], ["--explain"]):
        args = [name, "--rule", "mes", "--completion", "add1", "--json", *extra]
        assert main(args) == 0
        data = json.loads(capsys.readouterr().out)
        got.append((data["selected"], data["budget_per_voter"], data["add1_steps"]))
    assert got[0] == got[1]


@pytest.mark.parametrize("columns", ["50", "120", ""])
def test_cli_help_is_argparse_s(
    columns: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # (the command's formatter finds the width without shutil: the same help)
    import argparse

    from voting.tally import cli

    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    ours = capsys.readouterr().out
    monkeypatch.setattr(cli, "_HelpFormatter", argparse.HelpFormatter)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert ours == capsys.readouterr().out
    assert ours.startswith("usage: python -m voting.tally")


def test_cli_refuses_malformed_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\n1;x\nVOTES\nvoter_id;vote\n"
    )
    assert main([str(bad)]) == 2
    assert "line 6" in capsys.readouterr().err


def test_python_dash_m_entry_point() -> None:
    shared = require_shared()
    res = subprocess.run(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "voting.tally",
            str(shared / "Netherlands_Assen_2024.pb"),
            "--completion",
            "add1",
            "--json",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(res.stdout)
    assert sorted(data["selected"]) == sorted(
        reference()["Netherlands_Assen_2024.pb"]["real_selected"]
    )


def test_explanations_name_rounds_payments_and_skips() -> None:
    shared = require_shared()
    e = read_pabulib(shared / "Netherlands_Assen_2024.pb")
    text = "\n".join(explain(tally(e, "mes", "cost", "add1")))
    assert "Round 1: bought" in text and "paid" in text and "add one" in text
    e = read_pabulib(shared / "Poland_Gdynia_2020_Babie_Doly__small.pb")
    text = "\n".join(explain(tally(e, "greedy", "cost")))
    assert "5: 101 votes, cost 9200, money left 2025: skipped" in text
    assert "ties are broken by project id" in text


@pytest.mark.parametrize(
    ("rule", "completion", "named"),
    [
        ("mes", "add1", "Regula: Metoda părților egale; satisfacția se măsoară prin costul"),
        ("mes", "greedy", "completarea: suma rămasă se cheltuie după numărul de voturi"),
        ("greedy", "none", "Regula: cele mai multe voturi întâi;"),
    ],
)
def test_the_romanian_explanation_names_the_rule_in_plain_words(
    rule: str, completion: str, named: str
) -> None:
    e = read_pabulib(require_shared() / "Netherlands_Assen_2024.pb")
    outcome = tally(e, rule, "cost", completion)  # type: ignore[arg-type]
    ro = explain(outcome, "ro")
    assert named in ro[1]
    assert "mes" not in ro[1] and "add1" not in ro[1] and "cost satisfaction" not in ro[1]
    # English keeps the engine's own names (those of the command line's options).
    assert explain(outcome, "en")[1].startswith(f"Rule: {rule} with cost satisfaction")


def test_gmpy2_imported_without_importlib_metadata() -> None:
    # the engine's import leaves importlib.metadata alone (40 ms of CPU per command)
    # and gmpy2's version is still the installed one
    pytest.importorskip("gmpy2")
    code = (
        "import sys, voting.tally.cli, gmpy2\n"
        "assert 'importlib.metadata' not in sys.modules\n"
        "from importlib.metadata import version\n"
        "assert gmpy2.__version__ == version('gmpy2'), gmpy2.__version__\n"
        "assert 'numpy.random' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)  # noqa: S603 - fixed code
