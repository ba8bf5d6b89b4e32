package io.cellrouter.router.cli;

import picocli.CommandLine.Command;

/** {@code token}: Mint and inspect cell tokens. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint and inspect cell tokens.")
final class TokenCommand {}
