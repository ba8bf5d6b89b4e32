# cell-router image: built with Maven, run on a JRE as a non-root user.
#   podman build --format docker -t cell-router .        (or: docker build -t cell-router .)
#   podman run -p 8080:8080 -p 9090:9090 -v $PWD/config.yaml:/etc/cell-router/config.yaml:ro \
#       -v $PWD/data:/var/lib/cell-router cell-router
# with registry.file: /var/lib/cell-router/registry.yaml in config.yaml, and ./data writable by
# uid 10001 (chown 10001 data): the admin API's writes put a lock file and a new copy of the
# registry beside it, and a folder mount also carries edits that replace the file.
# scripts/container-smoke.sh builds it and checks it for real (CI runs it after the tests).

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Every module of the reactor, so that Maven can read the parent POM; only router and what it
# needs (registry-client) are built. The build reads Maven Central and nothing else (no npm: the
# tests, and the dynalite they need, do not run here; `mvn -B verify` runs them, outside).
COPY pom.xml ./
# .mvn/jvm.config opens the compiler to Error Prone, which runs in every build.
COPY .mvn .mvn/
COPY registry-client/pom.xml registry-client/
COPY router/pom.xml router/
COPY loadtest/pom.xml loadtest/
COPY registry-client/src registry-client/src
COPY router/src router/src
# The local Maven repository is a build cache (BuildKit / buildah): rebuilds download nothing.
RUN --mount=type=cache,target=/root/.m2/repository \
    mvn -B -q -DskipTests -Dspotless.skip=true -pl router -am package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin cellrouter \
    && mkdir -p /etc/cell-router /var/lib/cell-router \
    && chown cellrouter /var/lib/cell-router
COPY --from=build /src/router/target/cell-router.jar /opt/cell-router/cell-router.jar
USER 10001
WORKDIR /var/lib/cell-router
EXPOSE 8080 9090
# Ready when /readyz answers 200. bash's /dev/tcp keeps the image free of curl/wget; the admin
# listener is on loopback by default, which is where this check runs.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${CELL_ROUTER_ADMIN_PORT:-9090} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/cell-router/cell-router.jar"]
CMD ["serve", "--config", "/etc/cell-router/config.yaml"]
