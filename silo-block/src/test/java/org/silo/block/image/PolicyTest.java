package org.silo.block.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and matching of per-image policies, and how the store keeps them. */
class PolicyTest {
    @TempDir
    Path dir;

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no lookup
    }

    @Test
    void openAndReadOnlyAdmitEveryone() throws Exception {
        assertThat(Policy.parse("open")).isEqualTo(Policy.OPEN);
        assertThat(Policy.parse(" read-only ")).isEqualTo(Policy.READ_ONLY);
        assertThat(Policy.OPEN.admits(ip("192.0.2.1"))).isTrue();
        assertThat(Policy.OPEN.allowsWrite()).isTrue();
        assertThat(Policy.READ_ONLY.admits(ip("2001:db8::1"))).isTrue();
        assertThat(Policy.READ_ONLY.allowsWrite()).isFalse();
    }

    @Test
    void hostsMatchAddressesAndCidrRanges() throws Exception {
        Policy p = Policy.parse("hosts:127.0.0.1, 10.0.0.0/8,fd00::/8,192.168.1.77/24");
        assertThat(p.allowsWrite()).isTrue();
        assertThat(p.admits(ip("127.0.0.1"))).isTrue();
        assertThat(p.admits(ip("127.0.0.2"))).isFalse();
        assertThat(p.admits(ip("10.255.1.2"))).isTrue();
        assertThat(p.admits(ip("11.0.0.1"))).isFalse();
        assertThat(p.admits(ip("192.168.1.3"))).isTrue();
        assertThat(p.admits(ip("192.168.2.3"))).isFalse();
        assertThat(p.admits(ip("fdab::1"))).isTrue();
        assertThat(p.admits(ip("fe80::1"))).isFalse();
        // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d.
        assertThat(p.admits(InetAddress.getByAddress(
                        new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3})))
                .isTrue();
        // Host bits past the prefix are cleared, and the text form round-trips.
        assertThat(p.toString()).isEqualTo("hosts:127.0.0.1,10.0.0.0/8,fd00::/8,192.168.1.0/24");
        assertThat(Policy.parse(p.toString())).isEqualTo(p);
        assertThat(Policy.parse("hosts:0.0.0.0/0").admits(ip("203.0.113.9"))).isTrue();
        assertThat(Policy.parse("hosts:0.0.0.0/0").admits(ip("::1"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "shut",
                "default",
                "hosts:",
                "hosts:,",
                "hosts:example.com",
                "hosts:10.0.0.1/33",
                "hosts:10.0.0.1/",
                "hosts:10.0.0.1/-1",
                "hosts:10.0.0.1/8/8",
                "hosts:::1/129",
                "hosts:1.2.3.4.5",
                "hosts:/8",
                "READ-ONLY",
                "hosts:10.0.0.1/0008"
            })
    void badPoliciesAreRefusedWithAMessage(String text) {
        assertThatThrownBy(() -> Policy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void storeKeepsPoliciesAcrossRestartsAndNeverListsTheFile() throws Exception {
        Path images = dir.resolve("images");
        ImageStore store = new ImageStore(images);
        store.create("a", 4096, false);
        store.create("we=ird name:\n", 4096, false);
        assertThat(store.policy("a")).isEqualTo(Policy.OPEN);
        assertThat(store.info("a").policy()).isEqualTo(Policy.OPEN);
        store.setPolicy("a", Policy.parse("hosts:10.0.0.0/8"));
        store.setPolicy("we=ird name:\n", Policy.READ_ONLY);

        ImageStore again = new ImageStore(images);
        assertThat(again.policy("a")).isEqualTo(Policy.parse("hosts:10.0.0.0/8"));
        assertThat(again.policy("we=ird name:\n")).isEqualTo(Policy.READ_ONLY);
        assertThat(again.list()).extracting(ImageInfo::name).containsExactly("a", "we=ird name:\n");
        assertThat(again.list())
                .extracting(ImageInfo::policy)
                .containsExactly(Policy.parse("hosts:10.0.0.0/8"), Policy.READ_ONLY);
        assertThat(ImageNames.isValid(ImageStore.POLICY_FILE)).isFalse();
        assertThat(again.exists(ImageStore.POLICY_FILE)).isFalse();

        // Clearing a policy removes the line; removing an image forgets its policy, so a new image
        // of the same name starts with the default.
        again.clearPolicy("we=ird name:\n");
        again.remove("a");
        again.create("a", 4096, false);
        assertThat(new ImageStore(images).policy("a")).isEqualTo(Policy.OPEN);
        assertThat(Files.readAllLines(images.resolve(ImageStore.POLICY_FILE))).allMatch(line -> line.startsWith("#"));
    }

    @Test
    void closedAdmitsNobody() throws Exception {
        assertThat(Policy.parse("closed")).isEqualTo(Policy.CLOSED);
        assertThat(Policy.CLOSED.toString()).isEqualTo("closed");
        assertThat(Policy.CLOSED.admits(ip("127.0.0.1"))).isFalse();
        assertThat(Policy.CLOSED.allowsWrite()).isFalse();
    }

    /**
     * Issue 12: an image nobody set a policy for has the store's default (the server derives it from
     * {@code anonymous}); a policy an admin set, even {@code open}, is kept whatever the default.
     */
    @Test
    void imagesWithoutAPolicyFollowTheDefaultAndAnExplicitOneOutlivesIt() throws Exception {
        Path images = dir.resolve("images");
        ImageStore store = new ImageStore(images, Policy.READ_ONLY);
        store.create("a", 4096, false);
        store.create("b", 4096, false);
        assertThat(store.policy("a")).isEqualTo(Policy.READ_ONLY);
        assertThat(store.info("a").policy()).isEqualTo(Policy.READ_ONLY);
        assertThat(store.hasOwnPolicy("a")).isFalse();
        assertThatThrownBy(() -> store.open("a", Access.WRITE, "t", ip("127.0.0.1")))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.READ_ONLY));
        store.open("a", Access.READ, "t", ip("127.0.0.1")).close();

        store.setPolicy("a", Policy.OPEN);
        assertThat(store.hasOwnPolicy("a")).isTrue();
        try (ImageLease lease = store.open("a", Access.WRITE, "t", ip("127.0.0.1"))) {
            assertThat(lease.writable()).isTrue();
        }
        // Kept on disk although it equals the old default: a later default does not change it.
        ImageStore closed = new ImageStore(images, Policy.CLOSED);
        assertThat(closed.policy("a")).isEqualTo(Policy.OPEN);
        assertThat(closed.policy("b")).isEqualTo(Policy.CLOSED);
        assertThat(closed.admits("b", ip("127.0.0.1"))).isFalse();
        assertThatThrownBy(() -> closed.open("b", Access.READ, "t", ip("127.0.0.1")))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND))
                .hasMessage("no image named b");

        // A caller that checked the session's rights itself (the file service) is held only to a
        // policy an admin set, not to the default.
        try (ImageLease lease = closed.openChecked("b", Access.WRITE, "files", ip("127.0.0.1"))) {
            assertThat(lease.writable()).isTrue();
        }
        closed.setPolicy("b", Policy.READ_ONLY);
        assertThatThrownBy(() -> closed.openChecked("b", Access.WRITE, "files", ip("127.0.0.1")))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.READ_ONLY));

        closed.clearPolicy("a");
        assertThat(closed.policy("a")).isEqualTo(Policy.CLOSED);
        assertThat(closed.hasOwnPolicy("a")).isFalse();
    }

    @Test
    void admitsAndOpenFollowThePolicy() throws Exception {
        ImageStore store = new ImageStore(dir.resolve("images"));
        store.create("a", 4096, false);
        store.setPolicy("a", Policy.hosts(List.of(new Policy.Range(new byte[] {127, 0, 0, 1}, 32))));
        assertThat(store.admits("a", ip("127.0.0.1"))).isTrue();
        assertThat(store.admits("a", ip("127.0.0.2"))).isFalse();
        assertThat(store.admits("missing", ip("127.0.0.2"))).isTrue(); // nothing to hide
        assertThatThrownBy(() -> store.open("a", Access.READ, "t", ip("127.0.0.2")))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND))
                .hasMessage("no image named a"); // same words as for a missing image
        try (ImageLease lease = store.open("a", Access.WRITE, "t", ip("127.0.0.1"))) {
            assertThat(lease.writable()).isTrue();
            // Changing the policy of an open image is refused, as changing its read-only flag is.
            assertThatThrownBy(() -> store.setPolicy("a", Policy.OPEN))
                    .isInstanceOfSatisfying(
                            ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.BUSY));
        }
        store.setPolicy("a", Policy.READ_ONLY);
        assertThatThrownBy(() -> store.open("a", Access.WRITE, "t", ip("127.0.0.1")))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.READ_ONLY));
        store.open("a", Access.READ, "t", ip("192.0.2.1")).close();
        assertThatThrownBy(() -> store.setPolicy("missing", Policy.OPEN))
                .isInstanceOfSatisfying(
                        ImageException.class, e -> assertThat(e.reason()).isEqualTo(ImageException.Reason.NOT_FOUND));
    }

    @Test
    void aBadPolicyFileStopsTheStoreWithTheLine() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Files.writeString(images.resolve(ImageStore.POLICY_FILE), "a = hosts:nowhere\n");
        assertThatThrownBy(() -> new ImageStore(images))
                .hasMessageContaining("image a")
                .hasMessageContaining("nowhere");
    }
}
