package io.cellrouter.router.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpstreamRelayHandlerTest {

    private final List<Object> events = new ArrayList<>();
    private final UpstreamListener listener = new UpstreamListener() {
        @Override
        public void upstreamRead(HttpObject msg) {
            events.add(msg);
        }

        @Override
        public void upstreamReadComplete() {
            events.add("complete");
        }

        @Override
        public void upstreamWritabilityChanged(boolean writable) {
            events.add("writable=" + writable);
        }

        @Override
        public void upstreamClosed(Throwable cause) {
            events.add("closed");
        }
    };

    @Test
    void leased_handsResponsePartsToTheListener() {
        UpstreamRelayHandler relay = new UpstreamRelayHandler();
        EmbeddedChannel ch = new EmbeddedChannel(relay);
        relay.lease(listener);
        var response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);

        ch.writeInbound(response);

        assertThat(events).containsExactly(response, "complete");
    }

    @Test
    void idle_closesOnUnexpectedData() {
        UpstreamRelayHandler relay = new UpstreamRelayHandler();
        EmbeddedChannel ch = new EmbeddedChannel(relay);

        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        assertThat(ch.isOpen()).isFalse();
        assertThat(events).isEmpty();
    }

    @Test
    void close_whileLeased_tellsTheListenerOnce() {
        UpstreamRelayHandler relay = new UpstreamRelayHandler();
        EmbeddedChannel ch = new EmbeddedChannel(relay);
        relay.lease(listener);

        ch.close();

        assertThat(events).containsExactly("closed");
        assertThat(relay.leased()).isFalse();
    }
}
