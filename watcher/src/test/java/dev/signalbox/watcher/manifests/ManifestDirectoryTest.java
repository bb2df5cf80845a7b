package dev.signalbox.watcher.manifests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.signalbox.schemas.event.IngressClassState;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scan reads again only the files whose size, modification time or inode changed, and still sees the edits files
 * get: one of the same size written in place, and one that replaces the file by a rename.
 */
class ManifestDirectoryTest {
    private static final ObjectKey CLASS = new ObjectKey("c", Kind.INGRESS_CLASS, "", "edge");

    private static String ingressClass(String controller) {
        return "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: edge\nspec:\n  controller: " + controller + "\n";
    }

    @Test
    void editsInPlaceAndByRenameAreSeenAndOtherFilesAreNotReadAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("class.yaml");
        Files.writeString(file, ingressClass("signalbox.dev/a"));
        Files.writeString(dir.resolve("other.yaml"), ingressClass("signalbox.dev/x").replace("edge", "other"));
        List<List<ObjectKey>> changes = new CopyOnWriteArrayList<>();
        ManifestDirectory d = new ManifestDirectory(dir, "c", ManifestParserTest.KEYS, changes::add);
        // Scanned by hand, not started: no watch thread scans between the steps.
        d.scan();
        try {
            // The same size, written in place.
            Files.writeString(file, ingressClass("signalbox.dev/b"));
            d.scan();
            assertEquals("signalbox.dev/b", controller(d));
            // Replaced by a rename, as editors and ConfigMap volumes do.
            Path tmp = dir.resolve(".class.tmp");
            Files.writeString(tmp, ingressClass("signalbox.dev/c"));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            d.scan();
            assertEquals("signalbox.dev/c", controller(d));
            // A file whose size, time and inode did not change is not read again (rsync's quick check): an edit in
            // place that restores the modification time is the one change a scan does not see.
            java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(file);
            Files.writeString(file, ingressClass("signalbox.dev/d"));
            Files.setLastModifiedTime(file, before);
            d.scan();
            assertEquals("signalbox.dev/c", controller(d));
            assertEquals(List.of(List.of(CLASS), List.of(CLASS)), changes.subList(1, changes.size()));
        } finally {
            d.close();
        }
    }

    @Test
    void aScanFollowsOnlyTheKeysItsReadsTouchedAndGetsWhatAWholeMergeGets(@TempDir Path dir) throws Exception {
        ObjectKey other = new ObjectKey("c", Kind.INGRESS_CLASS, "", "other");
        Files.writeString(dir.resolve("a.yaml"), ingressClass("signalbox.dev/a"));
        Files.writeString(dir.resolve("b.yaml"), ingressClass("signalbox.dev/b") + "---\n"
                + ingressClass("signalbox.dev/x").replace("edge", "other"));
        List<List<ObjectKey>> changes = new CopyOnWriteArrayList<>();
        ManifestDirectory d = new ManifestDirectory(dir, "c", ManifestParserTest.KEYS, changes::add);
        d.scan();
        // edge is defined twice: the first file in path order wins.
        assertEquals("signalbox.dev/a", controller(d));
        // The winning definition goes: the other file's takes over.
        Files.delete(dir.resolve("a.yaml"));
        d.scan();
        assertEquals("signalbox.dev/b", controller(d));
        // An edit of one object of a file signals that object only.
        Files.writeString(dir.resolve("b.yaml"), ingressClass("signalbox.dev/b") + "---\n"
                + ingressClass("signalbox.dev/y").replace("edge", "other"));
        d.scan();
        assertEquals(List.of(List.of(CLASS, other), List.of(CLASS), List.of(other)), changes);
        ManifestDirectory whole = new ManifestDirectory(dir, "c", ManifestParserTest.KEYS, k -> { });
        whole.scan();
        assertEquals(whole.snapshot(), d.snapshot(), "as a first scan of the same files");
        d.close();
        whole.close();
    }

    private static String controller(ManifestDirectory d) {
        return ((IngressClassState) d.get(CLASS).orElseThrow().state()).controller();
    }
}
