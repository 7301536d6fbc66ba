"""The names of a stored result's files beside its outputs, shared by the backends and the cleaners.

A module of its own, importing nothing, so a disk hit needs neither the
claim's module nor the cleaners' to find a manifest.
"""

MANIFEST_SUFFIX = ".manifest.json"
CLAIM_SUFFIX = ".claim"
#: An empty file beside a result whose modification time says when the result was last loaded.
USED_SUFFIX = ".used"
