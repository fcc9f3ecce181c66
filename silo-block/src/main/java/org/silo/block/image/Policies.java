package org.silo.block.image;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The policy file of an {@link ImageStore}: Java properties, one line per image whose policy an
 * admin set (even {@code open}: an image opened explicitly stays open whatever the
 * store's default is); an image without a line has the default. Properties escape any character a name may hold ('=', ':', spaces, newlines).
 * Written to a temporary file, fsynced and renamed over the old one, so a crash leaves either the
 * old or the new file. Called with the store's lock held.
 */
final class Policies {
    private final Path file;
    private final Map<String, Policy> byName = new TreeMap<>();

    private Policies(Path file) {
        this.file = file;
    }

    static Policies load(Path file) throws IOException {
        Policies p = new Policies(file);
        if (Files.exists(file)) {
            Properties props = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            }
            for (String name : props.stringPropertyNames()) {
                try {
                    p.byName.put(name, Policy.parse(props.getProperty(name)));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + ": image " + name + ": " + e.getMessage(), e);
                }
            }
        }
        return p;
    }

    /** The policy set for an image, or null when it has none (it follows the default). */
    Policy get(String name) {
        return byName.get(name);
    }

    /**
     * Sets a policy, or with null removes the image's line (back to the default), and saves the
     * file when anything changed.
     */
    void put(String name, Policy policy) throws IOException {
        Policy old = get(name);
        if (java.util.Objects.equals(old, policy)) {
            return;
        }
        set(name, policy);
        try {
            save();
        } catch (IOException e) {
            set(name, old);
            throw e;
        }
    }

    private void set(String name, Policy policy) {
        if (policy == null) {
            byName.remove(name);
        } else {
            byName.put(name, policy);
        }
    }

    private void save() throws IOException {
        Properties props = new Properties();
        byName.forEach((name, policy) -> props.setProperty(name, policy.toString()));
        StringWriter text = new StringWriter();
        props.store(text, "Silo image access policies: NAME = open | read-only | closed | hosts:ADDR[,ADDR...]");
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
