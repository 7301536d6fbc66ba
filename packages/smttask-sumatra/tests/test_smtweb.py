"""Sumatra's own web viewer, a real ``smtweb`` on 127.0.0.1, shows smttask's records and serves their files."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from smtweb_server import check_every_page, get, links, serving
from sumatra_lab import Lab, invoke


@pytest.fixture
def smtweb(lab: Lab) -> Iterator[str]:
    """A real smtweb serving the lab's record store; stopped by its PID."""
    with serving(lab.root) as base:
        yield base


def _as_written_by_older_versions(lab: Lab) -> None:
    """Rewrite the store's data keys as smttask-sumatra 0.2/0.3.dev wrote them: XXH3 digests, microseconds."""
    from sumatra.recordstore.django_store import models

    from smttask_sumatra import djangodb

    store = lab.store()
    with store.session(), djangodb.atomic():
        for key in models.DataKey.objects.using("default").all():
            metadata = key.get_metadata()
            metadata["hash"] = "xxh3_128"
            key.digest = metadata.pop("xxh3_128")
            key.metadata = json.dumps(metadata)
            key.creation = key.creation.replace(microsecond=98664)
            key.save(using="default")


def test_the_record_list_a_record_a_data_file_page_and_its_download_all_answer(
    lab: Lab, smtweb: str
) -> None:
    lab.tasks.Fit(x=2).run()
    check_every_page(lab, smtweb)


def test_upgrade_keys_repairs_records_written_by_older_versions(lab: Lab, smtweb: str) -> None:
    lab.tasks.Fit(x=3).run()
    _as_written_by_older_versions(lab)
    (record,) = lab.view()
    status, detail = get(f"{smtweb}/lab/{record.label}/")
    (link, *_) = links(detail, r'href="(/lab/data/datafile\?[^"]+)"')
    assert get(smtweb + link)[0] == 500  # what users of older versions saw

    upgraded = invoke(lab, "store", "upgrade-keys")
    assert upgraded.exit_code == 0, upgraded.output
    assert "1 given their SHA-1 digest, 1 times rounded" in upgraded.output
    check_every_page(lab, smtweb)
    again = invoke(lab, "store", "upgrade-keys")
    assert "0 given their SHA-1 digest, 0 times rounded" in again.output
