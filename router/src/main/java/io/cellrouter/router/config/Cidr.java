package io.cellrouter.router.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * An address range written {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or one address ({@code
 * 192.0.2.7}, {@code ::1}: the whole prefix). Only address literals: a host name is refused, never
 * looked up. Matching is Netty's {@link IpSubnetFilterRule}.
 */
public final class Cidr {

    private final String text;
    private final IpSubnetFilterRule rule;

    private Cidr(String text, IpSubnetFilterRule rule) {
        this.text = text;
        this.rule = rule;
    }

    /** Parses {@code ADDRESS[/PREFIX]}; IllegalArgumentException says what is wrong. */
    public static Cidr parse(String value) {
        String text = value.strip();
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            throw new IllegalArgumentException("must be an IPv4 or IPv6 address, optionally with /prefix (10.0.0.0/8)");
        }
        InetAddress address;
        try {
            address = InetAddress.getByAddress(bytes); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("must be an IPv4 or IPv6 address", e);
        }
        int bits = address instanceof Inet4Address ? 32 : 128;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("the prefix length must be from 0 to " + bits);
            }
        }
        String shown = address.getHostAddress() + "/" + prefix;
        return new Cidr(shown, new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
    }

    /** Whether {@code address} is in this range (an IPv4 range never holds an IPv6 address). */
    public boolean contains(InetAddress address) {
        return rule.matches(new InetSocketAddress(address, 0));
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr c && c.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
