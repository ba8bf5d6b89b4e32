package io.cellrouter.loadtest.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.loadtest.cell.LoadTestCell;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay over real sockets: a real HTTP client, two real cells, keep-alive connections. */
class ByteRelayTest {

    private LoadTestCell one;
    private LoadTestCell two;
    private ByteRelay relay;

    @BeforeEach
    void start() throws Exception {
        one = LoadTestCell.start("cell-1", new InetSocketAddress("127.0.0.1", 0), 1);
        two = LoadTestCell.start("cell-2", new InetSocketAddress("127.0.0.1", 0), 1);
        relay = ByteRelay.start(new InetSocketAddress("127.0.0.1", 0), List.of(one.address(), two.address()), 1);
    }

    @AfterEach
    void stop() {
        relay.close();
        one.close();
        two.close();
    }

    @Test
    void eachConnection_reachesOneCell_andKeepsIt_roundRobinOverTheCells() throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + relay.address().getPort() + "/");
        Set<String> reached = new HashSet<>();
        for (int connection = 0; connection < 2; connection++) {
            // One client per connection: the JDK client keeps its one connection alive between requests.
            HttpClient client =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            Set<String> bodies = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(uri)
                                .header("x-customer-id", "c" + i)
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                bodies.add(response.body());
            }
            assertThat(bodies).as("one connection, one cell").hasSize(1);
            reached.addAll(bodies);
        }
        assertThat(reached).as("two connections, two cells").hasSize(2);
        assertThat(String.join(" ", reached)).contains("cell-1").contains("cell-2");
    }
}
