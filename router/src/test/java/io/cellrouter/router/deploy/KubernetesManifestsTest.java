package io.cellrouter.router.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cellrouter.router.config.ConfigLoader;
import io.cellrouter.router.config.RouterConfig;
import io.cellrouter.router.testing.ExternalTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every manifest of {@code deploy/kubernetes/}, parsed, and its numbers checked against the
 * router's own: the configuration it mounts is loaded by the router's {@link ConfigLoader} (so the
 * drain times, ports and addresses are the ones the router will really use, defaults included),
 * and the Deployment must give the router what those numbers need.
 */
class KubernetesManifestsTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Path ROOT = ExternalTools.repositoryRoot();
    private static final Path DIR = ROOT.resolve("deploy").resolve("kubernetes");
    private static final String TOKEN = "0123456789abcdef0123456789abcdef";
    /** The JVM's memory beyond heap and direct memory: metaspace, code cache, thread stacks, GC. */
    private static final long JVM_OVERHEAD = 256L << 20;
    /**
     * Heap per cached placement, with room to spare: PreloadBenchmark measured about 175 bytes with
     * DynamoDB and 340 with the file store (README: "What a fleet costs").
     */
    private static final long HEAP_PER_PLACEMENT = 370;

    private static JsonNode kustomization;
    private static Map<String, JsonNode> byKind;
    private static JsonNode deployment;
    private static JsonNode container;

    @TempDir
    Path temp;

    @BeforeAll
    static void parseEveryManifest() throws IOException {
        kustomization = YAML.readTree(DIR.resolve("kustomization.yaml").toFile());
        byKind = new HashMap<>();
        for (JsonNode manifest : manifests()) {
            assertThat(manifest.path("apiVersion").asText())
                    .as(manifest.toString())
                    .isNotBlank();
            assertThat(manifest.path("metadata").path("name").asText())
                    .as(manifest.toString())
                    .isNotBlank();
            String key = manifest.path("kind").asText() + "/"
                    + manifest.path("metadata").path("name").asText();
            assertThat(byKind.put(key, manifest)).as("one " + key).isNull();
        }
        deployment = byKind.get("Deployment/cell-router");
        assertThat(deployment).as("Deployment/cell-router").isNotNull();
        JsonNode containers =
                deployment.path("spec").path("template").path("spec").path("containers");
        assertThat(containers).hasSize(1);
        container = containers.get(0);
    }

    @Test
    void kustomization_listsFilesThatExist_andEveryManifestIsListedOrOptional() throws IOException {
        List<String> listed = new ArrayList<>();
        kustomization.path("resources").forEach(r -> listed.add(r.asText()));
        assertThat(listed).isNotEmpty().allSatisfy(file -> assertThat(DIR.resolve(file))
                .isRegularFile());
        assertThat(generatorFiles("configMapGenerator"))
                .allSatisfy(file -> assertThat(DIR.resolve(file)).isRegularFile());
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> manifests = files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .filter(name -> !name.equals("kustomization.yaml"))
                    .filter(name -> !generatorFiles("configMapGenerator").contains(name))
                    .toList();
            // The ServiceMonitor needs the Prometheus operator's CRD: listed as a comment, opt-in.
            assertThat(manifests).containsExactlyInAnyOrderElementsOf(concat(listed, "servicemonitor.yaml"));
        }
        assertThat(byKind)
                .containsKeys(
                        "Deployment/cell-router",
                        "Service/cell-router",
                        "Service/cell-router-admin",
                        "PodDisruptionBudget/cell-router",
                        "ServiceAccount/cell-router",
                        "ServiceMonitor/cell-router");
    }

    @Test
    void theMountedConfiguration_loadsWithTheRoutersOwnLoader_andHoldsNoSecret() throws IOException {
        String text = Files.readString(DIR.resolve("config.yaml"));
        assertThat(text).contains("${CELL_ROUTER_ADMIN_TOKEN}").doesNotContain(TOKEN);

        RouterConfig config = routerConfig();

        assertThat(config.admin().token()).isEqualTo(TOKEN);
        assertThat(config.registry().dynamodb()).as("the fleet's store").isNotNull();
    }

    @Test
    void gracePeriod_coversPreStop_drainDelay_andDrainTimeout() throws IOException {
        RouterConfig config = routerConfig();
        Duration preStop = preStopSleep();
        Duration needed = preStop.plus(config.proxy().drainDelay())
                .plus(config.proxy().drainTimeout())
                .plusSeconds(2); // closing the listeners, the store and the event loops

        long grace = podSpec().path("terminationGracePeriodSeconds").asLong();

        assertThat(config.proxy().drainDelay())
                .as("drainDelay: a load balancer's health-check period")
                .isPositive();
        assertThat(Duration.ofSeconds(grace)).isGreaterThanOrEqualTo(needed);
    }

    @Test
    void probes_askTheAdminListener_readyzForReadiness_healthzForLiveness() throws IOException {
        RouterConfig config = routerConfig();
        int adminPort = containerPort("admin");

        assertThat(config.admin().listen().getPort()).isEqualTo(adminPort);
        assertThat(config.admin().listen().getAddress().isAnyLocalAddress())
                .as("admin.listen on the pod address (0.0.0.0), where the kubelet's probes arrive")
                .isTrue();
        assertThat(config.proxy().listen().getPort()).isEqualTo(containerPort("http"));
        assertThat(probe("readinessProbe").path("path").asText()).isEqualTo("/readyz");
        assertThat(probe("livenessProbe").path("path").asText()).isEqualTo("/healthz");
        assertThat(probe("startupProbe").path("path").asText()).isEqualTo("/healthz");
        for (String name : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
            assertThat(probe(name).path("port").asText()).as(name).isEqualTo("admin");
        }
    }

    @Test
    void memoryLimit_holdsHeap_directMemory_andTheJvmsOwn_andTheCacheFitsTheHeap() throws IOException {
        List<String> command = strings(container.path("command"));
        long heap = jvmSize(command, "-Xmx");
        long direct = jvmSize(command, "-XX:MaxDirectMemorySize=");
        JsonNode resources = container.path("resources");
        long limit = quantity(resources.path("limits").path("memory").asText());

        assertThat(limit).isGreaterThanOrEqualTo(heap + direct + JVM_OVERHEAD);
        assertThat(quantity(resources.path("requests").path("memory").asText()))
                .as("memory request = limit: the pod is never the first one evicted")
                .isEqualTo(limit);
        assertThat(jvmSize(command, "-Xms")).as("the whole heap from the start").isEqualTo(heap);
        assertThat(command).contains("-XX:+ExitOnOutOfMemoryError");
        long cacheBytes = routerConfig().resolver().maximumSize() * HEAP_PER_PLACEMENT;
        assertThat(cacheBytes)
                .as("a full placement cache leaves a quarter of the heap")
                .isLessThanOrEqualTo(heap * 3 / 4);
    }

    @Test
    void runsAsNonRoot_onAReadOnlyRootFilesystem_withWritableSnapshotAndTmpVolumes() throws IOException {
        JsonNode pod = podSpec();
        JsonNode security = container.path("securityContext");
        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isEqualTo(dockerfileUser());
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(strings(security.path("capabilities").path("drop"))).containsExactly("ALL");

        assertThat(routerConfig().registry().snapshot()).as("registry.snapshot").isNotNull();
        assertThat(writableMounts()).contains(configuredSnapshot().getParent().toString(), "/tmp");
    }

    @Test
    void adminToken_comesFromTheGeneratedSecret_andTheConfigFromTheGeneratedConfigMap() {
        JsonNode tokenEnv = null;
        for (JsonNode env : container.path("env")) {
            if (env.path("name").asText().equals("CELL_ROUTER_ADMIN_TOKEN")) {
                tokenEnv = env;
            }
        }
        assertThat(tokenEnv).as("env CELL_ROUTER_ADMIN_TOKEN").isNotNull();
        JsonNode ref = tokenEnv.path("valueFrom").path("secretKeyRef");
        assertThat(tokenEnv.has("value")).isFalse();
        JsonNode secret = kustomization.path("secretGenerator").get(0);
        assertThat(ref.path("name").asText()).isEqualTo(secret.path("name").asText());
        assertThat(strings(secret.path("files")))
                .containsExactly(ref.path("key").asText() + "=admin-token.txt");
        assertThat(ExternalTools.repositoryRoot().resolve("deploy/kubernetes/.gitignore"))
                .content()
                .contains("admin-token.txt");

        String configMap =
                kustomization.path("configMapGenerator").get(0).path("name").asText();
        String mountPath = null;
        for (JsonNode volume : podSpec().path("volumes")) {
            if (volume.path("configMap").path("name").asText().equals(configMap)) {
                mountPath = mountPathOf(volume.path("name").asText());
            }
        }
        assertThat(mountPath).as("the ConfigMap's mount").isNotNull();
        List<String> args = strings(container.path("args"));
        assertThat(args).containsSubsequence("--config", mountPath + "/config.yaml");
    }

    @Test
    void theImagesCommand_isTheDockerfilesJar_andTheLogFormatAgreesWithTheConfiguration() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        List<String> command = strings(container.path("command"));
        String jar = command.get(command.indexOf("-jar") + 1);

        assertThat(dockerfile).containsPattern("COPY --from=\\S+ \\S+ " + Pattern.quote(jar) + "\\s");
        String format = routerConfig().logging().format().name().toLowerCase(java.util.Locale.ROOT);
        assertThat(command).contains("-Dcellrouter.logging.format=" + format);
    }

    @Test
    void servicesAndTheBudget_selectThePods_andNameTheContainersPorts() {
        JsonNode podLabels =
                deployment.path("spec").path("template").path("metadata").path("labels");
        assertSelects(deployment.path("spec").path("selector").path("matchLabels"), podLabels);
        for (String service : List.of("Service/cell-router", "Service/cell-router-admin")) {
            JsonNode spec = byKind.get(service).path("spec");
            assertSelects(spec.path("selector"), podLabels);
            spec.path("ports").forEach(port -> assertThat(
                            containerPort(port.path("targetPort").asText()))
                    .as(service)
                    .isPositive());
        }
        JsonNode pdb = byKind.get("PodDisruptionBudget/cell-router").path("spec");
        assertSelects(pdb.path("selector").path("matchLabels"), podLabels);
        assertThat(pdb.path("maxUnavailable").asInt())
                .isPositive()
                .isLessThan(deployment.path("spec").path("replicas").asInt());
        JsonNode monitor = byKind.get("ServiceMonitor/cell-router").path("spec");
        assertSelects(
                monitor.path("selector").path("matchLabels"),
                byKind.get("Service/cell-router-admin").path("metadata").path("labels"));
        assertThat(monitor.path("endpoints").get(0).path("port").asText()).isEqualTo("admin");
        assertThat(monitor.path("endpoints").get(0).path("path").asText()).isEqualTo("/metrics");
    }

    // --- helpers ---

    /**
     * config.yaml as the router loads it. The snapshot folder is the pod's volume, not this
     * machine's: {@link #configuredSnapshot} checks it against the mounts; here it is loaded from a
     * folder that exists.
     */
    private RouterConfig routerConfig() throws IOException {
        ObjectNode yaml = (ObjectNode) YAML.readTree(DIR.resolve("config.yaml").toFile());
        ((ObjectNode) yaml.path("registry"))
                .put("snapshot", temp.resolve("snapshot.json").toString());
        return ConfigLoader.parse(
                YAML.writeValueAsString(yaml),
                "deploy/kubernetes/config.yaml",
                DIR,
                Map.of("CELL_ROUTER_ADMIN_TOKEN", TOKEN)::get);
    }

    /** registry.snapshot as config.yaml writes it. */
    private static Path configuredSnapshot() throws IOException {
        JsonNode snapshot = YAML.readTree(DIR.resolve("config.yaml").toFile())
                .path("registry")
                .path("snapshot");
        assertThat(snapshot.isTextual()).as("registry.snapshot").isTrue();
        return Path.of(snapshot.asText());
    }

    private static List<JsonNode> manifests() throws IOException {
        List<JsonNode> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file :
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.equals("kustomization.yaml")
                        || generatorFiles("configMapGenerator").contains(name)) {
                    continue;
                }
                try (var parser = YAML.getFactory().createParser(file.toFile())) {
                    YAML.readValues(parser, JsonNode.class).forEachRemaining(all::add);
                }
            }
        }
        return all;
    }

    private static List<String> generatorFiles(String generator) {
        List<String> files = new ArrayList<>();
        kustomization.path(generator).forEach(g -> g.path("files").forEach(f -> files.add(f.asText())));
        return files;
    }

    private static JsonNode podSpec() {
        return deployment.path("spec").path("template").path("spec");
    }

    private static JsonNode probe(String name) {
        JsonNode probe = container.path(name).path("httpGet");
        assertThat(probe.isMissingNode()).as(name + ".httpGet").isFalse();
        return probe;
    }

    private static int containerPort(String name) {
        for (JsonNode port : container.path("ports")) {
            if (port.path("name").asText().equals(name)) {
                return port.path("containerPort").asInt();
            }
        }
        return -1;
    }

    private static Duration preStopSleep() {
        List<String> command =
                strings(container.path("lifecycle").path("preStop").path("exec").path("command"));
        assertThat(command).hasSize(2).first().isEqualTo("sleep");
        return Duration.ofSeconds(Long.parseLong(command.get(1)));
    }

    private static List<String> writableMounts() {
        List<String> writable = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("readOnly").asBoolean(false)) {
                continue;
            }
            for (JsonNode volume : podSpec().path("volumes")) {
                boolean disk = volume.has("emptyDir") || volume.has("persistentVolumeClaim") || volume.has("ephemeral");
                if (volume.path("name").asText().equals(mount.path("name").asText()) && disk) {
                    writable.add(mount.path("mountPath").asText());
                }
            }
        }
        return writable;
    }

    private static String mountPathOf(String volume) {
        for (JsonNode mount : container.path("volumeMounts")) {
            if (mount.path("name").asText().equals(volume)) {
                return mount.path("mountPath").asText();
            }
        }
        return null;
    }

    private static int dockerfileUser() throws IOException {
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(ROOT.resolve("Dockerfile")));
        assertThat(user.find()).as("the Dockerfile's USER").isTrue();
        return Integer.parseInt(user.group(1));
    }

    private static void assertSelects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("a selector").isPositive();
        selector.properties().forEach(e -> assertThat(labels.path(e.getKey()).asText())
                .as("label " + e.getKey())
                .isEqualTo(e.getValue().asText()));
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static List<String> concat(List<String> list, String more) {
        List<String> all = new ArrayList<>(list);
        all.add(more);
        return all;
    }

    /** {@code -Xmx512m}, {@code -XX:MaxDirectMemorySize=256m}: bytes. */
    private static long jvmSize(List<String> command, String prefix) {
        String value = command.stream()
                .filter(arg -> arg.startsWith(prefix))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + " in " + command))
                .substring(prefix.length());
        Matcher m = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(value);
        assertThat(m.matches()).as(prefix + value).isTrue();
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    /** A Kubernetes memory quantity ({@code 1Gi}, {@code 768Mi}): bytes. */
    private static long quantity(String value) {
        Matcher m = Pattern.compile("(\\d+)(Ki|Mi|Gi)?").matcher(value);
        assertThat(m.matches()).as("memory quantity " + value).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "Ki" -> n << 10;
            case "Mi" -> n << 20;
            case "Gi" -> n << 30;
            default -> n;
        };
    }
}
