package io.cellrouter.router;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The router's packages keep the shape docs/ARCHITECTURE.md describes: a request's path runs
 * pipeline → forward → routing → identity (with admission beside routing), each package used only
 * by the ones before it; every refusal is an {@code error}; the admin API is never on the request
 * path; metrics, access log and logging are beside the path (the path reports to them, they use
 * none of it); configuration and the transport are foundations everyone may read. No package
 * cycles.
 */
@AnalyzeClasses(packages = "io.cellrouter.router", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String[] PATH = {"Pipeline", "Forward", "Routing", "Admission", "Identity"};

    @ArchTest
    static final ArchRule requestPathLayers = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Entry")
            .definedBy("io.cellrouter.router", "io.cellrouter.router.cli..", "io.cellrouter.router.demo..")
            .layer("Pipeline")
            .definedBy("io.cellrouter.router.pipeline..")
            .layer("Forward")
            .definedBy("io.cellrouter.router.forward..")
            .layer("Routing")
            .definedBy("io.cellrouter.router.routing..")
            .layer("Admission")
            .definedBy("io.cellrouter.router.admission..")
            .layer("Identity")
            .definedBy("io.cellrouter.router.identity..")
            .layer("Error")
            .definedBy("io.cellrouter.router.error..")
            .layer("Admin")
            .definedBy("io.cellrouter.router.admin..")
            .layer("Beside")
            .definedBy(
                    "io.cellrouter.router.metrics..",
                    "io.cellrouter.router.accesslog..",
                    "io.cellrouter.router.logging..")
            .layer("Foundation")
            .definedBy(
                    "io.cellrouter.router.config..",
                    "io.cellrouter.router.transport..",
                    "io.cellrouter.router.registry..")
            .whereLayer("Entry")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Pipeline")
            .mayOnlyBeAccessedByLayers("Entry")
            .whereLayer("Forward")
            .mayOnlyBeAccessedByLayers("Entry", "Pipeline")
            .whereLayer("Routing")
            .mayOnlyBeAccessedByLayers("Entry", "Forward")
            .whereLayer("Admission")
            .mayOnlyBeAccessedByLayers("Entry", "Pipeline", "Forward")
            .whereLayer("Identity")
            .mayOnlyBeAccessedByLayers("Entry", "Forward", "Routing")
            .whereLayer("Error")
            .mayOnlyBeAccessedByLayers(withPath("Entry", "Admin"))
            .whereLayer("Admin")
            .mayOnlyBeAccessedByLayers("Entry")
            .whereLayer("Beside")
            .mayOnlyBeAccessedByLayers("Entry", "Admin", "Pipeline", "Forward", "Admission", "Beside")
            .whereLayer("Foundation")
            .mayOnlyBeAccessedByLayers(withPath("Entry", "Admin", "Beside", "Foundation", "Error"));

    private static String[] withPath(String... others) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(others), java.util.Arrays.stream(PATH))
                .toArray(String[]::new);
    }

    @ArchTest
    static final ArchRule noCycles =
            slices().matching("io.cellrouter.router.(*)..").should().beFreeOfCycles();

    /**
     * The registry client's implementations stay behind its interfaces: only the router's {@code
     * registry} package (which opens a store), the command lines and the configuration (DynamoDB
     * settings) name a concrete store; the request path and the admin API see {@code RegistryStore}
     * and {@code Resolver} only.
     */
    @ArchTest
    static final ArchRule storeImplementationsBehindTheirInterface = noClasses()
            .that()
            .resideOutsideOfPackages(
                    "io.cellrouter.router.registry..", "io.cellrouter.router.cli..", "io.cellrouter.router.config..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.cellrouter.registry.store.file..", "io.cellrouter.registry.store.dynamodb..");
}
