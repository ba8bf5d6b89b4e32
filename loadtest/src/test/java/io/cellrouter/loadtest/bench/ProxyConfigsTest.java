package io.cellrouter.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peers' configurations in each mode: same routing, the listener and upstream protocol of the mode. */
class ProxyConfigsTest {

    private static final List<ProxyConfigs.Cell> CELLS =
            List.of(new ProxyConfigs.Cell("cell-1", 9001), new ProxyConfigs.Cell("cell-2", 9002));
    private static final Path DIR = Path.of("/tmp/bench");

    @Test
    void nginxHttp1_plainListener_proxyPassOverKeepAlive() {
        String conf = ProxyConfigs.nginxConf(DIR, 8080, CELLS, 4, 2);

        assertThat(conf)
                .contains("listen 127.0.0.1:8080;")
                .contains("proxy_pass http://$cell;")
                .contains("proxy_set_header Host $http_host;")
                .contains("    c3 cell-2;")
                .doesNotContain("http2")
                .doesNotContain("grpc");
    }

    @Test
    void nginxH2c_http2Listener_http1ToTheCells() {
        String conf = ProxyConfigs.nginxConf(DIR, 8080, CELLS, 4, 2, ProxyConfigs.Mode.H2C);

        assertThat(conf)
                .contains("listen 127.0.0.1:8080 http2;")
                .contains("proxy_pass http://$cell;")
                .contains("proxy_http_version 1.1;")
                .contains("proxy_set_header Host $host;")
                .contains("keepalive_requests 1000000;");
    }

    @Test
    void nginxGrpc_http2Listener_grpcPassWithTheSameHeaders() {
        String conf = ProxyConfigs.nginxConf(DIR, 8080, CELLS, 4, 2, ProxyConfigs.Mode.GRPC);

        assertThat(conf)
                .contains("listen 127.0.0.1:8080 http2;")
                .contains("grpc_pass grpc://$cell;")
                .contains("grpc_set_header X-Forwarded-For $remote_addr;")
                .contains("grpc_set_header X-Cell-Router-Cell $cell;")
                .contains("map $http_x_customer_id $cell {")
                .contains("client_max_body_size 0;") // a streaming call's body is every message
                .doesNotContain("proxy_pass");
    }

    @Test
    void haproxyH2_protoH2OnTheListenerAndEveryServer() {
        String cfg =
                ProxyConfigs.haproxyCfg(Path.of("/tmp/bench/customers.map"), 8080, CELLS, 2, ProxyConfigs.Mode.GRPC);

        assertThat(cfg)
                .contains("bind 127.0.0.1:8080 proto h2\n")
                .contains("server cell-1 127.0.0.1:9001 proto h2\n")
                .contains("server cell-2 127.0.0.1:9002 proto h2\n")
                .contains("use_backend %[req.hdr(x-customer-id),map(/tmp/bench/customers.map,unknown)]")
                .contains("maxconn 8000");
        assertThat(ProxyConfigs.haproxyCfg(Path.of("/tmp/m"), 8080, CELLS, 2)).doesNotContain("proto h2");
    }
}
