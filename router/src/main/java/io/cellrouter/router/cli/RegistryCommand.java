package io.cellrouter.router.cli;

import picocli.CommandLine.Command;

/** {@code registry}: Manage the registry: create-table, import, export. */
@Command(
        name = "registry",
        mixinStandardHelpOptions = true,
        description = "Manage the registry: create-table, import, export.")
final class RegistryCommand {}
