# Build the jar, then run it on an image that has PostgreSQL 15's client tools (pg_dump must be at
# least the server's major version).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src src
RUN mvn -q -B -DskipTests package

FROM postgres:15-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends openjdk-17-jre-headless redis-tools git zstd \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/mking-backup
COPY --from=build /src/target/mking-backup.jar target/mking-backup.jar
COPY application.properties .
COPY routes routes
COPY bin/mking-backup bin/mking-backup
COPY docker/app-entrypoint.sh /usr/local/bin/mking-backup-entrypoint
# MKING_HOME: where application.properties and routes/ are read (the jar falls back to it when
# -Dmking.home is not given). MKING_DATA_DIR: pgpass, ssh known hosts and keys; mount a volume there.
ENV MKING_HOME=/opt/mking-backup \
    LANG=C.UTF-8 \
    MKING_DATA_DIR=/var/lib/mking-backup/data
EXPOSE 8080
# creates the encryption key on first start (MKING_ENCRYPTION_KEY_ID), then runs bin/mking-backup
ENTRYPOINT ["/usr/local/bin/mking-backup-entrypoint"]
CMD ["start"]
