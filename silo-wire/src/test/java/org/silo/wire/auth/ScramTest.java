package org.silo.wire.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.silo.wire.auth.Scram.ScramException;

class ScramTest {

    /** RFC 7677 §3: the SCRAM-SHA-256 example exchange, byte for byte. */
    @Test
    void rfc7677Example() throws Exception {
        ScramClient client = ScramClient.withPassword("user", "pencil".toCharArray(), "rOprNGfwEbeRWgbNEkqO");
        assertThat(client.clientFirst()).isEqualTo("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");

        byte[] salt = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        Scram.Keys k = Scram.Keys.of("pencil".toCharArray(), salt, 4096);
        Scram.Verifier v = new Scram.Verifier(salt, 4096, Scram.sha256(k.clientKey()), k.serverKey());
        ScramServer server = new ScramServer("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
        assertThat(server.readClientFirst(client.clientFirst())).isEqualTo("user");
        String serverFirst = server.serverFirst(v);
        assertThat(serverFirst)
                .isEqualTo("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");

        String clientFinal = client.clientFinal(serverFirst);
        assertThat(clientFinal)
                .isEqualTo("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        String serverFinal = server.readClientFinal(clientFinal);
        assertThat(serverFinal).isEqualTo("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        client.verifyServerFinal(serverFinal);
        assertThat(client.sessionKey()).isEqualTo(server.sessionKey()).hasSize(32);
    }

    @Test
    void aVerifierChecksAPasswordGivenInClear() {
        Scram.Verifier v = Scram.Verifier.of("right".toCharArray(), Scram.MIN_ITERATIONS);
        assertThat(v.matches("right".toCharArray())).isTrue();
        assertThat(v.matches("wrong".toCharArray())).isFalse();
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        Scram.Verifier v = Scram.Verifier.of("right".toCharArray(), Scram.MIN_ITERATIONS);
        ScramClient client = ScramClient.withPassword("bob", "wrong".toCharArray());
        ScramServer server = new ScramServer();
        server.readClientFirst(client.clientFirst());
        String fin = client.clientFinal(server.serverFirst(v));
        assertThatThrownBy(() -> server.readClientFinal(fin))
                .isInstanceOf(ScramException.class)
                .hasMessage("wrong password");
    }

    @Test
    void savedKeysLogInWithoutThePassword() throws Exception {
        Scram.Verifier v = Scram.Verifier.of("s3cret".toCharArray(), Scram.MIN_ITERATIONS);
        ScramClient first = ScramClient.withPassword("al,ice=", "s3cret".toCharArray());
        ScramServer s1 = new ScramServer();
        assertThat(s1.readClientFirst(first.clientFirst())).isEqualTo("al,ice=");
        first.verifyServerFinal(s1.readClientFinal(first.clientFinal(s1.serverFirst(v))));

        ScramClient again = ScramClient.withKeys("al,ice=", first.keys());
        ScramServer s2 = new ScramServer();
        s2.readClientFirst(again.clientFirst());
        again.verifyServerFinal(s2.readClientFinal(again.clientFinal(s2.serverFirst(v))));
        assertThat(again.sessionKey()).isEqualTo(s2.sessionKey()).isNotEqualTo(first.sessionKey());
    }

    @Test
    void aServerWithoutTheVerifierIsCaught() throws Exception {
        ScramClient client = ScramClient.withPassword("u", "pw".toCharArray());
        ScramServer impostor = new ScramServer();
        impostor.readClientFirst(client.clientFirst());
        client.clientFinal(impostor.serverFirst(Scram.Verifier.of("guess".toCharArray(), Scram.MIN_ITERATIONS)));
        assertThatThrownBy(() ->
                        client.verifyServerFinal("v=" + Base64.getEncoder().encodeToString(new byte[32])))
                .hasMessageContaining("could not prove");
    }

    @Test
    void malformedMessagesAreRefused() {
        ScramServer s = new ScramServer();
        assertThatThrownBy(() -> s.readClientFirst("y,,n=u,r=x")).isInstanceOf(ScramException.class);
        assertThatThrownBy(() -> s.readClientFirst("n,,garbage")).isInstanceOf(ScramException.class);
        assertThatThrownBy(() -> s.readClientFinal("c=biws,r=x,p=AAAA")).hasMessageContaining("before LOGIN");
        ScramClient c = ScramClient.withPassword("u", "p".toCharArray());
        assertThatThrownBy(() -> c.clientFinal("r=someoneelse,s=AAAA,i=4096")).hasMessageContaining("nonce");
        assertThatThrownBy(
                        () -> c.clientFinal("r=" + c.clientFirst().substring("n,,n=u,r=".length()) + "x,s=AAAA,i=10"))
                .hasMessageContaining("iterations");
    }
}
