"""A package holding a workflow, to run it by a relative name."""
