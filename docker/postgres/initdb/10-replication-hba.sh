#!/bin/sh
# Runs once, when the data volume is initialised: allow replication connections (pg_basebackup of the
# pg-physical job) with a password. The image's own line "host all all all scram-sha-256" does not cover
# replication. On an existing volume add this line by hand and reload (SELECT pg_reload_conf()).
set -eu
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
