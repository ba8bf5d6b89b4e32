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

    /**
     * A pooled connection: every lease hands out the one leg made with the connection, and the
     * exchange's end returns it to the pool at the end of the read that carried the answer.
     */
    @Test
    void pooled_sameLegEveryLease_parkedAtTheEndOfTheRead() {
        UpstreamRelayHandler relay = new UpstreamRelayHandler();
        EmbeddedChannel ch = new EmbeddedChannel();
        List<String> parked = new ArrayList<>();
        Http1CellLeg leg = new Http1CellLeg(ch, relay, null);
        relay.pooledAs(leg, () -> parked.add("parked"));
        ch.pipeline().addLast(relay);
        relay.lease(new UpstreamListener() {
            @Override
            public void upstreamRead(HttpObject msg) {
                relay.returnAfterRead(); // the answer's end: back to the pool, but not in mid-read
                events.add("parked during the read: " + parked.size());
            }

            @Override
            public void upstreamReadComplete() {}

            @Override
            public void upstreamWritabilityChanged(boolean writable) {}

            @Override
            public void upstreamClosed(Throwable cause) {}
        });

        ch.writeInbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

        assertThat(events).containsExactly("parked during the read: 0");
        assertThat(parked).containsExactly("parked");
        assertThat(relay.leased()).isFalse();
        assertThat(relay.leg()).isSameAs(leg);
        assertThat(relay.attached()).isTrue();
        ch.pipeline().remove(relay);
        assertThat(relay.attached()).isFalse();
    }
}
