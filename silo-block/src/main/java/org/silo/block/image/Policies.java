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
 * The policy file of an {@link ImageStore}: Java properties, one line per image whose policy is
 * not {@code open}. Properties escape any character a name may hold ('=', ':', spaces, newlines).
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

  Policy get(String name) {
    return byName.getOrDefault(name, Policy.OPEN);
  }

  /** Sets a policy ({@code open} removes the line) and saves the file when anything changed. */
  void put(String name, Policy policy) throws IOException {
    Policy old = get(name);
    if (old.equals(policy)) {
      return;
    }
    if (policy.kind() == Policy.Kind.OPEN) {
      byName.remove(name);
    } else {
      byName.put(name, policy);
    }
    try {
      save();
    } catch (IOException e) {
      if (old.kind() == Policy.Kind.OPEN) {
        byName.remove(name);
      } else {
        byName.put(name, old);
      }
      throw e;
    }
  }

  private void save() throws IOException {
    Properties props = new Properties();
    byName.forEach((name, policy) -> props.setProperty(name, policy.toString()));
    StringWriter text = new StringWriter();
    props.store(text, "Silo image access policies: NAME = open | read-only | hosts:ADDR[,ADDR...]");
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = StandardCharsets.UTF_8.encode(text.toString());
      while (bytes.hasRemaining()) {
        ch.write(bytes);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
