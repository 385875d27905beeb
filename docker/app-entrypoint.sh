#!/bin/sh
# Entrypoint of the mking-backup image: on first start, create the encryption key in the data volume,
# then run the jar with the given command (default CMD: start).
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
jar="$MKING_HOME/target/mking-backup.jar"

if [ -n "$MKING_ENCRYPTION_KEY_ID" ] && [ ! -f "$MKING_ENCRYPTION_KEY_DIR/$MKING_ENCRYPTION_KEY_ID.key" ]; then
  # shellcheck disable=SC2086
  java ${MKING_JAVA_OPTS:-} -jar "$jar" keygen "$MKING_ENCRYPTION_KEY_ID" --key-dir "$MKING_ENCRYPTION_KEY_DIR"
  echo "mking-backup: new encryption key $MKING_ENCRYPTION_KEY_DIR/$MKING_ENCRYPTION_KEY_ID.key;" \
       "copy it away from the backups now (without it the encrypted backups cannot be read)" >&2
fi

# the launcher's defaults (bin/mking-backup): bounded heap, serial collector unless MKING_JAVA_OPTS names one (the
# JVM refuses two) with a small young generation and large survivors (why: there), JVM warnings on stderr
gc="-XX:+UseSerialGC"
case "${MKING_JAVA_OPTS:-}" in *-XX:+Use*GC*) gc="" ;; esac
young="-Xmn64m -XX:SurvivorRatio=3"
case "${MKING_JAVA_OPTS:-}" in *-Xmx*|*-Xmn*|*NewSize*|*SurvivorRatio*|*-XX:+Use*GC*) young="" ;; esac
# shellcheck disable=SC2086
exec java -Xmx256m $gc $young "-Xlog:disable" "-Xlog:all=warning:stderr" ${MKING_JAVA_OPTS:-} -jar "$jar" "$@"
