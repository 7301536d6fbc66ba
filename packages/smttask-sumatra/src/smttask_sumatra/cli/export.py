"""``smttask export RECORD...|--task NAME|--all --prov FILE --ro-crate DIR``: provenance others can read."""

from __future__ import annotations

from pathlib import Path

import click

from .common import errors, project_of


@click.command("export", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("labels", nargs=-1, metavar="[RECORD]...")
@click.option("--task", "task", metavar="NAME", help="Export every record of the task NAME.")
@click.option("--all", "every", is_flag=True, help="Export every record of the lab book.")
@click.option("--prov", "prov_path", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="Write a W3C PROV document: PROV-JSON for FILE.json, PROV-N for FILE.provn.")
@click.option("--ro-crate", "crate_dir", type=click.Path(path_type=Path, file_okay=False), metavar="DIR",
              help="Write an RO-Crate into the new directory DIR: data files, hashes, task files, code version.")
@click.pass_context
def export_command(ctx: click.Context, labels: tuple[str, ...], task: str | None, every: bool,
                   prov_path: Path | None, crate_dir: Path | None) -> None:
    """Export the lineage of records (with the runs of their upstream tasks) as W3C PROV and/or an RO-Crate.

    Needs the export extra: pip install 'smttask-sumatra[export]'.
    """
    from ..lineage import build_lineage

    if sum((bool(labels), task is not None, every)) != 1:
        raise click.UsageError("give record labels, or --task NAME, or --all (one of them)")
    if prov_path is None and crate_dir is None:
        raise click.UsageError("say what to write: --prov FILE.json|FILE.provn and/or --ro-crate DIR")
    with errors():
        if prov_path is not None:
            from ..provexport import FORMATS, load_prov

            if prov_path.suffix.lower() not in FORMATS:
                raise ValueError(f"{prov_path}: a PROV file must end in .json (PROV-JSON) or .provn (PROV-N)")
            load_prov()
        if crate_dir is not None:
            from ..crateexport import load_rocrate

            load_rocrate()
        lineage = build_lineage(project_of(ctx), labels, task=task, every=every)
        runs = f"{len(lineage.runs)} run(s) ({len(lineage.selected)} asked for), {len(lineage.tasks)} task(s)"
        if prov_path is not None:
            from ..provexport import write_prov

            click.echo(f"{write_prov(lineage, prov_path)}: W3C PROV of {runs}")
        if crate_dir is not None:
            from ..crateexport import write_ro_crate

            report = write_ro_crate(lineage, crate_dir)
            click.echo(f"{report.directory}: RO-Crate of {runs}, {len(report.files)} file(s)")
            for dest, why in report.left_out:
                click.echo(f"left out {dest}: {why}", err=True)
