#!/usr/bin/env bash
# smttask-snakemake's SLURM tests: a real single-node cluster (slurmctld, slurmd,
# munged) that scripts/slurm-cluster starts for the tests and stops by PID.
# Debian's slurm-wlm and munge; about 35 s to install.
source "$(dirname "$0")/apt.bash"
apt_install slurm-wlm munge || echo "SKIP: smttask-snakemake SLURM tests (slurm-wlm, munge) will skip"
