package io.cellrouter.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.cellrouter.router.testing.H2Client;
import io.cellrouter.router.testing.RawH2;
import io.cellrouter.router.testing.RouterExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An answer that is complete while the HTTP/2 client is still sending its request: the whole
 * answer, END_STREAM included, reaches the client before the RST_STREAM(NO_ERROR) that tells it to
 * stop sending (RFC 9113 section 8.1). A reset that overtook the answer's last frames would cut
 * them off.
 */
class Http2EarlyAnswerIT {

    @RegisterExtension
    final RouterExtension router = new RouterExtension();

    @Test
    void routersOwnAnswer_toARequestStillSending_arrivesWholeBeforeTheReset() throws Exception {
        try (RawH2 raw = new RawH2(router.server().proxyAddress())) {
            raw.headers(1, H2Client.request("POST", "/upload", "x-customer-id", "nobody"), false)
                    .data(1, new byte[100], false)
                    .flush();

            raw.readUntil(events -> events.stream().anyMatch(e -> e.startsWith("RST 1")), 5000);

            List<String> stream1 = raw.events().stream()
                    .filter(e -> e.matches("(HEADERS|DATA|RST) 1\\b.*"))
                    .toList();
            assertThat(stream1).hasSize(3);
            assertThat(stream1.get(0)).startsWith("HEADERS 1 404");
            assertThat(stream1.get(1)).matches("DATA 1 [1-9][0-9]* end");
            assertThat(stream1.get(2)).isEqualTo("RST 1 0");
        }
    }
}
