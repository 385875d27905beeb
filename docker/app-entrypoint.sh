#!/bin/sh
# Entrypoint of the mking-backup image: on first start, create the encryption key in the data volume,
# then run bin/mking-backup with the given command (default CMD: start).
#   MKING_HOME                 installation directory (application.properties, routes/)  /opt/mking-backup
#   MKING_DATA_DIR             data directory: pgpass, ssh known hosts, keys (a volume)  /var/lib/mking-backup/data
#   MKING_ENCRYPTION_KEY_DIR   key files                                                $MKING_DATA_DIR/keys
#   MKING_ENCRYPTION_KEY_ID    key for new backups; set it empty to back up unencrypted key-1
#   MKING_JAVA_OPTS            extra JVM options, e.g. -Xmx512m
# An encrypted backup without its key is lost: copy the key file somewhere other than the backups.
set -eu
export MKING_HOME="${MKING_HOME:-/opt/mking-backup}"
export MKING_DATA_DIR="${MKING_DATA_DIR:-/var/lib/mking-backup/data}"
export MKING_ENCRYPTION_KEY_DIR="${MKING_ENCRYPTION_KEY_DIR:-$MKING_DATA_DIR/keys}"
export MKING_ENCRYPTION_KEY_ID="${MKING_ENCRYPTION_KEY_ID-key-1}"

if [ -n "$MKING_ENCRYPTION_KEY_ID" ] && [ ! -f "$MKING_ENCRYPTION_KEY_DIR/$MKING_ENCRYPTION_KEY_ID.key" ]; then
  "$MKING_HOME/bin/mking-backup" keygen "$MKING_ENCRYPTION_KEY_ID" --key-dir "$MKING_ENCRYPTION_KEY_DIR"
  echo "mking-backup: new encryption key $MKING_ENCRYPTION_KEY_DIR/$MKING_ENCRYPTION_KEY_ID.key;" \
       "copy it away from the backups now (without it the encrypted backups cannot be read)" >&2
fi

# the launcher users run outside the image too: its JVM defaults (bounded heap, collector, young generation), its class
# data sharing, MKING_JAVA_OPTS
exec "$MKING_HOME/bin/mking-backup" "$@"
