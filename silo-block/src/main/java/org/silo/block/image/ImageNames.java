package org.silo.block.image;

import java.nio.charset.StandardCharsets;

/** The naming rules of images (docs/block.md): an image name is a plain file name, never a path. */
public final class ImageNames {
    /** Longest name in UTF-8 bytes; it also fits Blockhead's 256-byte NUL-terminated field. */
    public static final int MAX_NAME_BYTES = 255;

    private ImageNames() {}

    /**
     * Checks a name and returns it.
     *
     * @throws ImageException with reason INVALID_NAME and a message saying which rule it breaks
     */
    public static String validate(String name) throws ImageException {
        if (name == null || name.isEmpty()) {
            throw invalid("image name is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            throw invalid("image name is longer than " + MAX_NAME_BYTES + " bytes");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
            throw invalid("image name must not contain '/' or '\\': " + printable(name));
        }
        if (name.indexOf('\0') >= 0) {
            throw invalid("image name must not contain a NUL byte");
        }
        if (name.contains("..")) {
            throw invalid("image name must not contain '..': " + printable(name));
        }
        if (name.equals(".")) {
            // "." resolves to the image directory itself.
            throw invalid("image name must not be '.'");
        }
        return name;
    }

    /** True when {@link #validate} would accept the name. */
    public static boolean isValid(String name) {
        try {
            validate(name);
            return true;
        } catch (ImageException e) {
            return false;
        }
    }

    private static ImageException invalid(String message) {
        return new ImageException(ImageException.Reason.INVALID_NAME, message);
    }

    private static String printable(String name) {
        return "'" + name.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
