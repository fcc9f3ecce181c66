package org.silo.files.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.silo.wire.ErrorCode;
import org.silo.wire.SiloException;

/** Issue 12: which addresses the URL gateway, fetching on the server, refuses unless files.url-allow lists them. */
class GatewayAddressPolicyTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no lookup
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, a loopback",
        "127.255.0.9, a loopback",
        "::1, a loopback",
        "::ffff:127.0.0.1, a loopback",
        "169.254.169.254, a link-local",
        "fe80::1, a link-local",
        "10.1.2.3, a private",
        "172.16.0.1, a private",
        "172.31.255.255, a private",
        "192.168.1.1, a private",
        "100.64.0.1, a private",
        "fd12:3456::1, a private",
        "fc00::1, a private",
        "fec0::1, a private",
        "::ffff:10.0.0.1, a private",
        "::10.0.0.1, a private",
        "0.0.0.0, an unspecified",
        "0.1.2.3, an unspecified",
        "::, an unspecified",
        "224.0.0.1, a multicast or broadcast",
        "239.1.1.1, a multicast or broadcast",
        "ff02::1, a multicast or broadcast",
        "255.255.255.255, a multicast or broadcast"
    })
    void refusedByDefault(String address, String kind) throws Exception {
        assertThat(GatewayAddressPolicy.refusedKind(ip(address))).isEqualTo(kind);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8.8.8.8",
                "172.32.0.1",
                "172.15.255.255",
                "100.128.0.1",
                "193.0.0.1",
                "2001:4860:4860::8888",
                "::ffff:8.8.8.8"
            })
    void publicAddressesAreFetched(String address) throws Exception {
        assertThat(GatewayAddressPolicy.refusedKind(ip(address))).isNull();
    }

    @Test
    void aRefusalSaysWhatAndHowToAllowIt() {
        assertThatThrownBy(() -> GatewayAddressPolicy.DEFAULT.resolve("127.0.0.1", "http://127.0.0.1:7480/metrics"))
                .isInstanceOfSatisfying(SiloException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.PERMISSION);
                    assertThat(e.getMessage())
                            .isEqualTo("http://127.0.0.1:7480/metrics: refused: 127.0.0.1 is a loopback address,"
                                    + " and the file service fetches URLs on the server; an admin can allow it with files.url-allow"
                                    + " (docs/security.md)");
                });
        assertThatThrownBy(() -> GatewayAddressPolicy.DEFAULT.resolve("[::1]", "http://[::1]/"))
                .hasMessageContaining("0:0:0:0:0:0:0:1 is a loopback address");
        assertThatThrownBy(() -> GatewayAddressPolicy.DEFAULT.resolve("localhost", "http://localhost/"))
                .as("a name is judged by what it resolves to")
                .hasMessageContaining("is a loopback address");
        assertThatThrownBy(() ->
                        GatewayAddressPolicy.DEFAULT.resolve("no-such-host.invalid", "http://no-such-host.invalid/"))
                .isInstanceOfSatisfying(
                        SiloException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("the host no-such-host.invalid is not known");
    }

    @Test
    void anAdminAllowsRangesAndHostNames() throws Exception {
        GatewayAddressPolicy p = GatewayAddressPolicy.parse(" 127.0.0.1, 10.0.0.0/8  fd00::/8,Build.Example.");
        assertThat(p.resolve("127.0.0.1", "u")).containsExactly(ip("127.0.0.1"));
        assertThat(p.resolve("10.9.8.7", "u")).containsExactly(ip("10.9.8.7"));
        assertThat(p.resolve("[fd00::5]", "u")).containsExactly(ip("fd00::5"));
        assertThatThrownBy(() -> p.resolve("127.0.0.2", "u"))
                .as("only what is listed")
                .hasMessageContaining("127.0.0.2 is a loopback");
        assertThatThrownBy(() -> p.resolve("192.168.0.1", "u")).hasMessageContaining("is a private");
        assertThat(GatewayAddressPolicy.parse("localhost").resolve("LOCALHOST", "u"))
                .as("a listed name, whatever it resolves to")
                .isNotEmpty()
                .allMatch(InetAddress::isLoopbackAddress);
        assertThat(p.toString()).isEqualTo("127.0.0.1,10.0.0.0/8,fd00::/8,build.example");
        assertThat(GatewayAddressPolicy.parse("").toString()).isEqualTo("(public addresses only)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/33", "1.2.3", "bad_name", "-x.example", "http://10.0.0.1/", "::1/200"})
    void badEntriesAreRefusedByName(String entry) {
        assertThatThrownBy(() -> GatewayAddressPolicy.parse("127.0.0.1," + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("files.url-allow: ");
    }
}
