package io.cellrouter.registry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * registry-client stands alone: a control plane or an SDK uses it without the router, so it never
 * reaches into the router nor into Netty's server side (Netty arrives only inside the AWS SDK's HTTP
 * client, which it does not touch). Its packages read model → store → cache → token without
 * cycles.
 */
@AnalyzeClasses(packages = "io.cellrouter.registry", importOptions = ImportOption.DoNotIncludeTests.class)
class RegistryClientBoundaryTest {

    @ArchTest
    static final ArchRule noRouterNoNetty = noClasses()
            .that()
            .resideInAPackage("io.cellrouter.registry..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.cellrouter.router..", "io.netty..");

    @ArchTest
    static final ArchRule modelDependsOnNothingElse = noClasses()
            .that()
            .resideInAPackage("io.cellrouter.registry.model..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "io.cellrouter.registry.store..",
                    "io.cellrouter.registry.cache..",
                    "io.cellrouter.registry.token..");

    @ArchTest
    static final ArchRule noCycles =
            slices().matching("io.cellrouter.registry.(*)..").should().beFreeOfCycles();
}
