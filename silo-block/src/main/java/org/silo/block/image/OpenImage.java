package org.silo.block.image;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One image file while at least one lease holds it. All leases share one channel, so every
 * connection sees each write at once and one force() covers all of them.
 */
final class OpenImage {
  final String name;
  final long size;
  final boolean readOnly;
  final FileChannel channel;
  final SparseFile sparse;
  final Set<ImageLease> leases = new LinkedHashSet<>();
  ImageLease writer;

  private OpenImage(String name, long size, boolean readOnly, FileChannel channel,
      SparseFile sparse) {
    this.name = name;
    this.size = size;
    this.readOnly = readOnly;
    this.channel = channel;
    this.sparse = sparse;
  }

  static OpenImage open(String name, Path file, boolean readOnly) throws IOException {
    FileChannel channel = readOnly
        ? FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)
        : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    try {
      SparseFile sparse = SparseFile.open(file, !readOnly);
      return new OpenImage(name, channel.size(), readOnly, channel, sparse);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  void closeFiles() throws IOException {
    try {
      if (sparse != null) {
        sparse.close();
      }
    } finally {
      channel.close();
    }
  }
}
