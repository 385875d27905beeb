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
ENV MKING_HOME=/opt/mking-backup
EXPOSE 8080
ENTRYPOINT ["java", "-Dmking.home=/opt/mking-backup", "-jar", "/opt/mking-backup/target/mking-backup.jar"]
CMD ["start"]
