package org.silo.block.nbd;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import org.silo.block.image.BlockDevice;

/**
 * Read-only exports served beside the images: the snapshots of an image, named {@code IMAGE@SNAP}
 * (docs/block.md, Snapshots). An export name that is an image is always the image; any other name is
 * looked up here. A client that may not see an export is answered as for one that does not exist.
 */
public interface MoreExports {
    /** One export as NBD_OPT_LIST shows it: its name and a description (NBD_REP_SERVER's trailing text). */
    record Listed(String name, String description) {}

    /** The exports this client may see, in the order LIST shows them after the images. */
    List<Listed> list(InetAddress client) throws IOException;

    /**
     * Opens an export read-only for a client, or returns null when there is no such export for it.
     *
     * @param holder who holds it, as {@code disk ls} names the sessions of an image
     */
    BlockDevice open(String name, String holder, InetAddress client) throws IOException;

    /**
     * The description NBD_INFO_DESCRIPTION gives for an export this client may see, or null for none.
     * By default the one {@link #list} gives it.
     */
    default String description(String name, InetAddress client) throws IOException {
        for (Listed l : list(client)) {
            if (l.name().equals(name)) {
                return l.description();
            }
        }
        return null;
    }

    /** Serves nothing beside the images. */
    MoreExports NONE = new MoreExports() {
        @Override
        public List<Listed> list(InetAddress client) {
            return List.of();
        }

        @Override
        public BlockDevice open(String name, String holder, InetAddress client) {
            return null;
        }
    };
}
