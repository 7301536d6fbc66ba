"""Records are read by Sumatra's own tools: `smt list -l`, `smt view` and the smtweb views."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sumatra_lab import Lab

SMT = str(Path(sys.executable).with_name("smt"))

WEB = textwrap.dedent(
    """
    import os, sys
    import sumatra.web
    from sumatra.projects import load_project
    from sumatra.recordstore.django_store import db_config

    load_project(sys.argv[1])  # registers the project's store, as smtweb does
    db_config.update_settings(
        INSTALLED_APPS=db_config._settings["INSTALLED_APPS"] + ["sumatra.web"],
        ROOT_URLCONF="sumatra.web.urls",
        STATIC_URL="/static/",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": False,
                    "DIRS": [os.path.join(os.path.dirname(sumatra.web.__file__), "templates")]}],
        ALLOWED_HOSTS=["testserver"],
    )
    db_config.configure()
    from django.test import Client

    client = Client()
    for url in sys.argv[2:]:
        response = client.get(url)
        print(url, response.status_code)
        assert response.status_code == 200, response.content.decode()[:2000]
    """
)


def smt(lab: Lab, *args: str) -> str:
    result = subprocess.run([SMT, *args], cwd=lab.root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_smt_list_and_view_read_the_records(lab: Lab) -> None:
    lab.tasks.Plus(a=lab.tasks.Square(x=2), b=1).run()
    labels = [r.label for r in lab.sumatra_records()]
    listing = smt(lab, "list", "-l")
    assert [
        line.split(":", 1)[1].strip() for line in listing.splitlines() if line.startswith("Label ")
    ] == labels
    assert "Script_Arguments : Plus" in listing and "_finished_" in listing
    view = smt(lab, "view", labels[0])
    assert f"Label            : {labels[0]}" in view
    assert "Main_File        : " + lab.module_file.name in view
    assert "Square/" in view  # the upstream output is an input data key


def test_smtweb_renders_the_project_record_and_data_pages(lab: Lab) -> None:
    lab.tasks.Fit(x=1).run()
    with pytest.raises(ValueError):
        lab.tasks.Fail(x=1).run()
    labels = [r.label for r in lab.sumatra_records()]
    urls = ["/", "/lab/", *(f"/lab/{label}/" for label in labels), "/lab/data/"]
    result = subprocess.run(
        [sys.executable, "-c", WEB, str(lab.root), *urls],
        cwd=lab.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
