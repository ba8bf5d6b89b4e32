package io.cellrouter.router.edge;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** PROXY protocol headers written by hand (HAProxy's proxy-protocol.txt), for what haproxy will not send. */
final class ProxyHeaders {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaders() {}

    static byte[] v1(String source, String destination, int sourcePort, int destinationPort) {
        return ("PROXY TCP4 " + source + " " + destination + " " + sourcePort + " " + destinationPort + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A v2 PROXY command for TCP over IPv4. */
    static byte[] v2Tcp4(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
        ByteBuffer header = ByteBuffer.allocate(16 + 12);
        header.put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        header.put(source).put(destination).putShort((short) sourcePort).putShort((short) destinationPort);
        return header.array();
    }

    /** A v2 LOCAL command: the proxy speaks for itself (its health checks). */
    static byte[] v2Local() {
        ByteBuffer header = ByteBuffer.allocate(16);
        header.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
        return header.array();
    }

    /** A v2 PROXY command for an unknown protocol (AF_UNSPEC): the proxy cannot say who the client is. */
    static byte[] v2Unknown() {
        ByteBuffer header = ByteBuffer.allocate(16);
        header.put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x00).putShort((short) 0);
        return header.array();
    }
}
