package org.silo.files.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.silo.files.FilesOps;
import org.silo.files.client.OobReader;
import org.silo.wire.client.ClientOptions;

/**
 * Issue 12: with listen = 0.0.0.0, {@code silo file cat} of anything larger than its first piece failed
 * with a NullPointerException: the data port was named "0:0:0:0:0:0:0:0:PORT", which no client can parse.
 */
class DataPortAddressTest {
    @Test
    void aWildcardPortIsNamedByTheAddressTheClientReachesItAt() throws Exception {
        try (DataPort port = new DataPort(InetAddress.getByName("0.0.0.0"), 0, capability -> null)) {
            String named = port.address(InetAddress.getLoopbackAddress());
            assertThat(named).matches("127\\.0\\.0\\.1:[0-9]+");
            InetSocketAddress at = ClientOptions.parseAddress(named, 0);
            try (Socket s = new Socket(at.getAddress(), at.getPort())) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThat(port.address(InetAddress.getByName("::1")))
                    .as("IPv6 in brackets")
                    .matches("\\[0:0:0:0:0:0:0:1\\]:[0-9]+");
        }
    }

    @Test
    void anIpv6PortIsNamedInBrackets() throws Exception {
        try (DataPort port = new DataPort(InetAddress.getByName("::1"), 0, capability -> null)) {
            String named = port.address(InetAddress.getByName("::1"));
            assertThat(named).matches("\\[0:0:0:0:0:0:0:1\\]:[0-9]+");
            assertThat(ClientOptions.parseAddress(named, 0).isUnresolved()).isFalse();
        }
    }

    @Test
    void aClientGivenAnAddressItCannotUseSaysSoInsteadOfThrowingANullPointerException() {
        FilesOps.Opened opened = new FilesOps.Opened(
                new FilesOps.Handle(FilesOps.CAPABILITY, new byte[16]), 5000, false, 0, "0:0:0:0:0:0:0:0:4567");
        assertThatThrownBy(() -> OobReader.copy(opened, OutputStream.nullOutputStream()))
                .isInstanceOf(IOException.class)
                .hasMessage("the server named a data port this client cannot reach: '0:0:0:0:0:0:0:0:4567'");
    }
}
