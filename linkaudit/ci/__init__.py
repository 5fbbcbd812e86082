"""Running linkaudit as a CI job: shards and their merge, baselines and report diffs, changed files only.

Each piece is a pure module over the shared model, used by the CLI (`linkaudit.cli.ci` and the options of
`check` and `extract`): `shard` (which URLs a shard checks), `merge` (shard reports back into one run's),
`baseline` (failures already known), `diff` (what changed between two reports) and `changed` (the files
git says changed since a revision).
"""
