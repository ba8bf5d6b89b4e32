package io.cellrouter.loadtest.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.loadtest.cell.LoadTestCell;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every protocol of the generator against the load-test cell, one second each: all answered. */
class ProtocolsTest {

    private static LoadTestCell cell;
    private static URI uri;

    @BeforeAll
    static void startCell() throws InterruptedException {
        cell = LoadTestCell.start("cell-t", new InetSocketAddress("127.0.0.1", 0), 1);
        uri = URI.create("http://127.0.0.1:" + cell.address().getPort());
    }

    @AfterAll
    static void stopCell() {
        cell.close();
    }

    @Test
    void http1_allAnswered() throws Exception {
        assertAllAnswered(Plans.open(uri, Protocol.HTTP1, 300, Duration.ofSeconds(1), 4));
    }

    @Test
    void h2c_allAnswered() throws Exception {
        assertAllAnswered(Plans.open(uri, Protocol.H2C, 300, Duration.ofSeconds(1), 2));
    }

    @Test
    void grpcUnary_allAnswered() throws Exception {
        assertAllAnswered(Plans.open(uri, Protocol.GRPC, 300, Duration.ofSeconds(1), 2));
    }

    @Test
    void grpcServerStream_allAnswered() throws Exception {
        assertAllAnswered(Plans.withGrpcCall(
                Plans.open(uri, Protocol.GRPC, 200, Duration.ofSeconds(1), 2), GrpcCall.SERVER_STREAM));
    }

    @Test
    void grpcBidi_allAnswered() throws Exception {
        assertAllAnswered(
                Plans.withGrpcCall(Plans.open(uri, Protocol.GRPC, 300, Duration.ofSeconds(1), 2), GrpcCall.BIDI));
    }

    @Test
    void closedLoop_keepsEveryConnectionBusy() throws Exception {
        LoadPlan open = Plans.open(uri, Protocol.HTTP1, 1, Duration.ofSeconds(1), 4);
        LoadPlan closed = new LoadPlan(
                List.of(uri),
                Protocol.HTTP1,
                true,
                0,
                open.duration(),
                Duration.ZERO,
                4,
                1,
                open.customers(),
                open.identities(),
                "/",
                open.timeout(),
                1,
                GrpcCall.UNARY,
                1,
                0,
                1,
                0);
        RunResult r = new LoadGenerator(closed).run(null, null);
        assertThat(r.errorCount()).isZero();
        assertThat(r.achievedRate()).isGreaterThan(1000);
    }

    private static void assertAllAnswered(LoadPlan plan) throws InterruptedException {
        RunResult r = new LoadGenerator(plan).run(null, null);
        long expected = Math.round(plan.rate() * plan.duration().toSeconds());
        assertThat(r.errors())
                .allSatisfy((kind, count) -> assertThat(count).as(kind).isZero());
        assertThat(r.requests()).isEqualTo(expected);
        assertThat(r.sent()).isEqualTo(expected);
    }
}
