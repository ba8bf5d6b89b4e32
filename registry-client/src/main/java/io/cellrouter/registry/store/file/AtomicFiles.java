package io.cellrouter.registry.store.file;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Replaces a file so that a reader, or the file after a crash, sees either the whole old content or
 * the whole new content, never a mix: write a temporary file in the same directory (a rename is only
 * atomic within one file system), fsync it, rename it over the target, fsync the directory so that
 * the rename itself is durable. A target that is a symbolic link is followed: the file it names is
 * replaced and the link stays (a rename over the link itself would turn it into a plain file).
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /** Writes the content of a file to a stream; may throw what writing throws. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} with {@code content} as the class comment describes. */
    public static void replace(Path target, byte[] content) throws IOException {
        replace(target, out -> out.write(content));
    }

    /** Like {@link #replace(Path, byte[])}, streaming: a large file is never held in memory whole. */
    public static void replace(Path link, Content content) throws IOException {
        Path target = followed(link);
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
        try {
            keepPermissions(target, temporary);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
                content.writeTo(out);
                out.flush(); // not closed here: closing the stream would close the channel before force
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        syncDirectory(directory);
    }

    /**
     * The file {@code path} names, every link followed; for a link to a file not there yet, the
     * path the link names (where the first write creates the file).
     */
    static Path followed(Path path) throws IOException {
        if (!Files.isSymbolicLink(path)) {
            return path;
        }
        try {
            return path.toRealPath();
        } catch (NoSuchFileException notYet) {
            return path.toAbsolutePath()
                    .resolveSibling(Files.readSymbolicLink(path))
                    .normalize();
        }
    }

    /** A temporary file is created owner-only; the registry keeps the permissions it had. */
    private static void keepPermissions(Path target, Path temporary) throws IOException {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(target);
            Files.setPosixFilePermissions(temporary, permissions);
        } catch (UnsupportedOperationException | NoSuchFileException e) {
            // Not a POSIX file system, or no file yet: the defaults are all there is to keep.
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory. The rename is still atomic; only its durability
            // across a power loss is weaker there, which is no reason to fail the write.
        }
    }
}
