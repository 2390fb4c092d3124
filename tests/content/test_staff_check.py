"""`content check` holds the code and content/staff.yaml together: every `staff.` key the code
names is there, and every call fills that text's placeholders."""

from pathlib import Path

from content.check import check_all
from content.loader import default_content
from content.staff_check import key_uses, staff_problems


def test_every_staff_key_the_code_uses_is_in_staff_yaml_with_its_placeholders_filled():
    assert staff_problems(default_content().copy) == []
    assert sum(1 for _ in key_uses()) > 100  # the workers' replies are all read by key


def _code(tmp_path: Path, source: str) -> Path:
    code = tmp_path / "bot"
    code.mkdir()
    (code / "feature.py").write_text(source, encoding="utf-8")
    return code


def test_a_key_spelled_wrong_is_a_problem(tmp_path):
    code = _code(tmp_path, 'say("staff.note.saevd", label="x")\n')
    [problem] = staff_problems({"staff.note.saved": "Note saved for {label}."}, code)
    assert "staff.note.saevd" in problem.message and "bot/feature.py:1" in problem.message


def test_a_placeholder_the_call_leaves_empty_is_a_problem(tmp_path):
    code = _code(tmp_path, 'say("staff.note.saved")\nsay("staff.note.saved", label="x")\n')
    [problem] = staff_problems({"staff.note.saved": "Note saved for {label}."}, code)
    assert "['label'] unfilled" in problem.message and ":1)" in problem.message


def test_a_key_built_at_run_time_is_checked_by_its_start(tmp_path):
    code = _code(tmp_path, 'say(f"staff.role.{role}")\nsay(f"staff.rank.{role}")\n')
    [problem] = staff_problems({"staff.role.manager": "manager"}, code)
    assert "'staff.rank.'" in problem.message


def test_content_check_reports_a_staff_yaml_without_a_key_the_code_uses(tmp_path):
    (tmp_path / "staff.yaml").write_text('said:\n  stale_button: "That button no longer works."\n',
                                         encoding="utf-8")
    problems = [p for p in check_all(tmp_path).problems if p.file == "staff.yaml"]
    assert any("staff.help.hello" in p.message for p in problems)
