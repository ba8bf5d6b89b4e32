package io.cellrouter.router.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.registry.cache.Resolver;
import io.cellrouter.registry.cache.ResolverConfig;
import io.cellrouter.registry.model.RoutingOverride;
import io.cellrouter.registry.store.NotFoundException;
import io.cellrouter.registry.store.RegistryStore;
import io.cellrouter.registry.store.StoreUnavailableException;
import io.cellrouter.registry.store.file.FileRegistryStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moves with a freeze when the placement write does not simply succeed, on a real file registry;
 * the registry's {@code putPlacement} is steered by the test (held back, or written but answered
 * with an error), everything else goes to the registry as it is.
 */
class MoveEndpointTest {

    @TempDir
    Path dir;

    private final Clock clock = Clock.systemUTC();
    private FileRegistryStore registry;
    /** Replaces {@code putPlacement(customer, cell, expectedVersion)} while set. */
    private volatile Function<Object[], CompletableFuture<?>> putPlacement;

    private MoveEndpoint moves;
    private Resolver resolver;
    /** Replaces {@code putOverride(override)} while set. */
    private volatile Function<Object[], CompletableFuture<?>> putOverride;

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("registry.yaml");
        Files.writeString(
                file,
                """
                cells:
                  - name: cell-1
                    endpoint: http://127.0.0.1:8081
                  - name: cell-2
                    endpoint: http://127.0.0.1:8082
                  - name: cell-3
                    endpoint: http://127.0.0.1:8083
                customers:
                  acme: cell-1
                """);
        registry = FileRegistryStore.open(file, clock);
        RegistryStore steered = (RegistryStore) Proxy.newProxyInstance(
                RegistryStore.class.getClassLoader(), new Class<?>[] {RegistryStore.class}, (proxy, method, args) -> {
                    Function<Object[], CompletableFuture<?>> hook = putPlacement;
                    if (hook != null && method.getName().equals("putPlacement")) {
                        return hook.apply(args);
                    }
                    Function<Object[], CompletableFuture<?>> overrideHook = putOverride;
                    if (overrideHook != null && method.getName().equals("putOverride")) {
                        return overrideHook.apply(args);
                    }
                    try {
                        return method.invoke(registry, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        resolver = Resolver.builder()
                .store(steered)
                .config(ResolverConfig.defaults().withPollInterval(Duration.ofHours(1)))
                .clock(clock)
                .build();
        resolver.start().get(10, TimeUnit.SECONDS);
        moves = new MoveEndpoint(steered, clock, new LocalCatchUp(resolver, new CellCounts(steered, clock::instant)));
    }

    @AfterEach
    void stop() throws Exception {
        resolver.close();
        registry.close();
    }

    private CompletableFuture<Answer> move(String toCell) {
        return move(toCell, "10m");
    }

    private CompletableFuture<Answer> move(String toCell, String freezeFor) {
        return moves.move("acme", "{\"toCell\":\"" + toCell + "\",\"freezeFor\":\"" + freezeFor + "\"}", false);
    }

    private List<RoutingOverride> overrides() throws Exception {
        return registry.overrides().get(10, TimeUnit.SECONDS);
    }

    private String cellOfAcme() throws Exception {
        return registry.placement("acme")
                .get(10, TimeUnit.SECONDS)
                .orElseThrow()
                .cell();
    }

    @Test
    void theLoserOfTwoMoves_doesNotRemoveTheWinnersFreeze() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Void> atTheGate = new CompletableFuture<>();
        putPlacement = args -> {
            atTheGate.complete(null);
            return gate.thenCompose(
                    ignored -> registry.putPlacement((String) args[0], (String) args[1], (Long) args[2]));
        };
        CompletableFuture<Answer> loser = move("cell-3"); // read version 1, wrote its freeze, waits to switch
        // Its switch is held at the gate (its freeze written before): only then may the winner's pass.
        atTheGate.get(10, TimeUnit.SECONDS);

        putPlacement = null;
        Answer winner = move("cell-2").get(10, TimeUnit.SECONDS);
        gate.complete(null); // the loser's switch now meets version 2
        Answer lost = loser.get(10, TimeUnit.SECONDS);

        assertThat(winner.status().code()).isEqualTo(200);
        assertThat(lost.status().code()).isEqualTo(409);
        assertThat(cellOfAcme()).isEqualTo("cell-2");
        assertThat(overrides())
                .as("the winner's freeze holds the customer until its data is copied")
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.freeze()).isTrue();
                    assertThat(o.reason()).contains("to cell-2");
                    assertThat(o.expiresAt().toString())
                            .isEqualTo(winner.body().get("frozenUntil").asText());
                });
    }

    @Test
    void theLoserAskingForAShorterFreeze_doesNotShortenTheWinnersFreeze() throws Exception {
        CompletableFuture<Void> winnerMaySwitch = new CompletableFuture<>();
        CompletableFuture<Void> loserMaySwitch = new CompletableFuture<>();
        CompletableFuture<Void> loserAtItsSwitch = new CompletableFuture<>();
        putPlacement = args -> {
            if (args[1].equals("cell-3")) {
                loserAtItsSwitch.complete(null);
            }
            return (args[1].equals("cell-2") ? winnerMaySwitch : loserMaySwitch)
                    .thenCompose(ignored -> registry.putPlacement((String) args[0], (String) args[1], (Long) args[2]));
        };
        CompletableFuture<Answer> winner = move("cell-2", "10m");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> overrides().stream()
                .anyMatch(o -> o.reason().contains("to cell-2")));
        CompletableFuture<Answer> loser = move("cell-3", "1m"); // reads version 1 and the winner's freeze
        loserAtItsSwitch.get(10, TimeUnit.SECONDS);
        assertThat(overrides())
                .as("the loser's freeze ends when the winner's would have")
                .singleElement()
                .satisfies(
                        o -> assertThat(o.expiresAt()).isAfter(clock.instant().plus(Duration.ofMinutes(9))));

        winnerMaySwitch.complete(null);
        Answer won = winner.get(10, TimeUnit.SECONDS);
        loserMaySwitch.complete(null);
        Answer lost = loser.get(10, TimeUnit.SECONDS);

        assertThat(won.status().code()).isEqualTo(200);
        assertThat(lost.status().code()).isEqualTo(409);
        assertThat(lost.body().get("message").asText()).contains("stays frozen until");
        assertThat(lost.change().after().path("override").path("reason").asText())
                .as("the refused move's audit line names the freeze it wrote, which stays")
                .contains("to cell-3");
        assertThat(cellOfAcme()).isEqualTo("cell-2");
        assertThat(overrides())
                .as("frozen for the winner's 10 minutes, not the loser's one")
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.freeze()).isTrue();
                    assertThat(o.expiresAt().toString())
                            .isEqualTo(won.body().get("frozenUntil").asText());
                    assertThat(o.expiresAt()).isAfter(clock.instant().plus(Duration.ofMinutes(9)));
                });
    }

    /**
     * A move under another move's longer freeze writes a freeze of its own, ending as late: when
     * the other move is refused and undoes its freeze, this move's customer stays frozen.
     */
    @Test
    void aMoveUnderAnotherMovesFreeze_staysFrozenWhenTheOtherIsRefusedAndUndoesItsOwn() throws Exception {
        CompletableFuture<Void> refuseTheFirst = new CompletableFuture<>();
        CompletableFuture<Void> firstAtItsSwitch = new CompletableFuture<>();
        putPlacement = args -> {
            if (args[1].equals("cell-2")) {
                firstAtItsSwitch.complete(null);
                return refuseTheFirst.thenCompose(ignored ->
                        CompletableFuture.failedFuture(new NotFoundException("cell 'cell-2' does not exist")));
            }
            return registry.putPlacement((String) args[0], (String) args[1], (Long) args[2]);
        };
        CompletableFuture<Answer> first = move("cell-2", "10m");
        firstAtItsSwitch.get(10, TimeUnit.SECONDS);

        Answer second = move("cell-3", "5m").get(10, TimeUnit.SECONDS);
        refuseTheFirst.complete(null);
        Answer refused = first.get(10, TimeUnit.SECONDS);

        assertThat(second.status().code()).isEqualTo(200);
        assertThat(refused.status().code()).isEqualTo(404);
        assertThat(cellOfAcme()).isEqualTo("cell-3");
        assertThat(overrides())
                .as("the second move's customer is still frozen, as long as the first move's freeze would have")
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.freeze()).isTrue();
                    assertThat(o.expiresAt()).isAfter(clock.instant().plus(Duration.ofMinutes(9)));
                });
    }

    /** A freeze that ends later (an operator's, a concurrent move's) is never shortened by a move's. */
    @Test
    void aMoveUnderALongerFreeze_freezesUntilThatOneEnds_andSaysUntilWhen() throws Exception {
        RoutingOverride maintenance =
                RoutingOverride.freeze("acme", clock.instant().plus(Duration.ofHours(2)), "maintenance");
        registry.putOverride(maintenance).get(10, TimeUnit.SECONDS);

        Answer moved = move("cell-2", "10m").get(10, TimeUnit.SECONDS);

        assertThat(moved.status().code()).isEqualTo(200);
        assertThat(moved.body().get("frozenUntil").asText())
                .isEqualTo(maintenance.expiresAt().toString());
        assertThat(cellOfAcme()).isEqualTo("cell-2");
        assertThat(overrides()).singleElement().satisfies(o -> {
            assertThat(o.freeze()).isTrue();
            assertThat(o.expiresAt()).isEqualTo(maintenance.expiresAt());
        });
    }

    /** The same, when the switch is refused: the freeze the customer had is put back. */
    @Test
    void aRefusedSwitchUnderALongerFreeze_putsThatFreezeBack() throws Exception {
        RoutingOverride maintenance =
                RoutingOverride.freeze("acme", clock.instant().plus(Duration.ofHours(2)), "maintenance");
        registry.putOverride(maintenance).get(10, TimeUnit.SECONDS);
        putPlacement = args -> CompletableFuture.failedFuture(new NotFoundException("cell 'cell-2' does not exist"));

        Answer refused = move("cell-2", "10m").get(10, TimeUnit.SECONDS);

        assertThat(refused.status().code()).isEqualTo(404);
        assertThat(overrides()).containsExactly(maintenance);
    }

    @Test
    void aFreezeWhoseFeedEntryIsLost_stopsTheMoveBeforeItSwitches() throws Exception {
        putOverride = args -> registry.putOverride((RoutingOverride) args[0])
                .thenCompose(written -> CompletableFuture.failedFuture(new StoreUnavailableException(
                        "the override of acme was written, but its change-feed entry was not")));

        Answer stopped = move("cell-2").get(10, TimeUnit.SECONDS);

        assertThat(stopped.status().code()).isEqualTo(503);
        assertThat(stopped.body().get("message").asText()).contains("change-feed entry was not");
        assertThat(cellOfAcme())
                .as("routers would have heard of the placement before the freeze")
                .isEqualTo("cell-1");
    }

    @Test
    void aMoveThatLoses_keepsItsFreeze_whichTheWinnerMayRelyOn_andSaysSo() throws Exception {
        putPlacement = args -> registry.putPlacement("acme", "cell-3", 1)
                .thenCompose(ignored -> registry.putPlacement((String) args[0], (String) args[1], (Long) args[2]));

        Answer lost = move("cell-2").get(10, TimeUnit.SECONDS);

        assertThat(lost.status().code()).isEqualTo(409);
        assertThat(lost.body().get("message").asText()).contains("stays frozen until", "delete the override");
        assertThat(cellOfAcme()).isEqualTo("cell-3");
        assertThat(overrides()).singleElement().satisfies(o -> assertThat(o.freeze())
                .isTrue());
    }

    @Test
    void aSwitchRefusedBeforeAnythingWasWritten_undoesTheFreeze() throws Exception {
        putPlacement = args -> CompletableFuture.failedFuture(new NotFoundException("cell 'cell-2' does not exist"));

        Answer refused = move("cell-2").get(10, TimeUnit.SECONDS);

        assertThat(refused.status().code()).isEqualTo(404);
        assertThat(cellOfAcme()).isEqualTo("cell-1");
        assertThat(overrides()).isEmpty();
    }

    @Test
    void aPlacementWriteThatLandedButFailedToAnswer_leavesTheFreeze_andSaysSo() throws Exception {
        putPlacement = args -> registry.putPlacement((String) args[0], (String) args[1], (Long) args[2])
                .thenCompose(written -> CompletableFuture.failedFuture(
                        new StoreUnavailableException("the call timed out after 1000 ms")));

        Answer unknown = move("cell-2").get(10, TimeUnit.SECONDS);

        assertThat(unknown.status().code()).isEqualTo(503);
        assertThat(unknown.body().get("message").asText())
                .contains("outcome is unknown", "timed out", "stays frozen until");
        assertThat(cellOfAcme()).isEqualTo("cell-2");
        assertThat(overrides())
                .as("without the freeze the customer would reach cell-2 before its data")
                .singleElement()
                .satisfies(o -> assertThat(o.freeze()).isTrue());
    }
}
