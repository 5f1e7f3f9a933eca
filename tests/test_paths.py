from pathlib import Path

from distill.paths import PROJECT_ROOT, portable, public_arg, public_command


def test_paths_inside_the_project_become_relative_and_home_becomes_tilde():
    home = Path.home()
    assert portable(f"distill run {PROJECT_ROOT}/recipes/demo.yaml") == "distill run recipes/demo.yaml"
    assert portable(f"cd {PROJECT_ROOT} && make") == "cd . && make"
    assert portable(f"{home}/x") == "~/x"
    # a folder whose name only starts like the project's or the home directory's is another folder
    assert portable(f"{PROJECT_ROOT}2/x") == f"{PROJECT_ROOT}2/x"
    assert portable(f"{home}2/x") == f"{home}2/x" and portable(f"{home}.old/x") == f"{home}.old/x"
    assert portable(f"written under {home}.") == "written under ~."


def test_a_published_argument_names_no_folder_outside_the_project():
    assert public_arg(f"{PROJECT_ROOT}/artifacts/students/s") == "artifacts/students/s"
    assert public_arg("/data/models/my-student") == "my-student"
    assert public_arg(f"{Path.home()}/models/my-student") == "my-student"
    assert public_arg("--out=/data/results") == "--out=results"
    assert public_arg("--limit") == "--limit" and public_arg("5") == "5"
    assert public_command(["eval", "--model", "/data/m", "--results-dir=/tmp/r"]) == \
        "distill eval --model m --results-dir=r"
