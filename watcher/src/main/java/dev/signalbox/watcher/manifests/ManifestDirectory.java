package dev.signalbox.watcher.manifests;

import dev.signalbox.schemas.crypto.KeyRing;
import dev.signalbox.schemas.event.Kind;
import dev.signalbox.schemas.event.ObjectKey;
import dev.signalbox.watcher.SourceView;
import dev.signalbox.watcher.convert.ReferencedObjects;
import dev.signalbox.watcher.model.Observed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory tree of Kubernetes YAML (*.yaml, *.yml) as a source of objects, watched with the JDK's
 * WatchService (inotify on Linux). On any change the whole tree is rescanned, and only files whose bytes
 * changed are parsed again; the set of objects is the union of all files, so an object moved from one
 * file to another in one step is not deleted. A file that does not parse is reported with file:line and
 * its previously parsed objects are kept until it parses again.
 *
 * <p>Scans run on the "signalbox-manifests" thread; {@link #snapshot} and {@link #get} read an immutable
 * map swapped whole, from any thread.
 */
public final class ManifestDirectory implements SourceView, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ManifestDirectory.class);

    private final Path root;
    private final String clusterId;
    private final KeyRing keys;
    private final Consumer<List<ObjectKey>> onChange;
    private final WatchService watchService;
    private final Map<Path, WatchKey> watchedDirs = new HashMap<>();
    /** The files as last read, in path order: where a key is defined twice, the first file's definition wins. */
    private final TreeMap<Path, FileState> files = new TreeMap<>();
    private volatile Map<ObjectKey, Observed> objects = Map.of();
    /** Every file's objects, the first file in path order winning a key defined twice: before the Secret filter. */
    private Map<ObjectKey, Observed> collected = new HashMap<>();
    /** The keys whose object a scan's reads added, changed or removed, from the files read again or gone. */
    private final Set<ObjectKey> touched = new HashSet<>();
    /** Whether the next merge must go over every file (the first scan, or too much changed to follow keys). */
    private boolean wholeMerge = true;
    private Thread thread;

    /**
     * A file as last read: its bytes' text, its objects (also by key, and by document for the next parse), and what
     * it looked like on disk then (size, modification time, file key), so a scan reads again only files whose look
     * changed.
     */
    private record FileState(String text, List<Observed> objects, Map<String, List<Observed>> documents,
                             Map<ObjectKey, Observed> byKey, Object look) {
        FileState(String text, List<Observed> objects, Map<String, List<Observed>> documents, Object look) {
            this(text, objects, documents, byKeyOf(objects), look);
        }

        private static Map<ObjectKey, Observed> byKeyOf(List<Observed> objects) {
            Map<ObjectKey, Observed> m = new HashMap<>();
            objects.forEach(o -> m.putIfAbsent(o.key(), o));
            return m;
        }
    }

    /**
     * @param onChange called once per scan with every key whose object appeared, changed or went away: one
     *                 source change, published in one transaction
     */
    public ManifestDirectory(Path root, String clusterId, KeyRing keys, Consumer<List<ObjectKey>> onChange) {
        this.keys = keys;
        this.root = root;
        this.clusterId = clusterId;
        this.onChange = onChange;
        try {
            this.watchService = root.getFileSystem().newWatchService();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the tree once (before this returns) and starts watching it. */
    public synchronized void start() {
        scan();
        thread = new Thread(this::watch, "signalbox-manifests");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watchService.take();
                // Collect what arrives together (an editor's write-rename, a move across files) into one scan.
                do {
                    key.pollEvents();
                    key.reset();
                    key = watchService.poll(2, TimeUnit.MILLISECONDS);
                } while (key != null);
                synchronized (this) {
                    scan();
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("manifests watch stopped", e);
        }
    }

    /** Rescans the tree; signals every key whose object appeared, changed or went away, as one change. */
    synchronized void scan() {
        Set<Path> seen = new HashSet<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isDirectory(p)) {
                    register(p);
                } else if (isManifest(p)) {
                    seen.add(p);
                    load(p);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not scan {}: {}", root, e.toString());
            return;
        }
        for (Path gone : new ArrayList<>(files.keySet())) {
            if (!seen.contains(gone)) {
                touched.addAll(files.remove(gone).byKey().keySet());
            }
        }
        if (!wholeMerge && touched.isEmpty()) {
            // Nothing read again parsed differently (a temporary file, an edit undone): the objects are as they were.
            return;
        }
        Map<ObjectKey, Observed> before = objects;
        Map<ObjectKey, Observed> merged;
        Collection<ObjectKey> candidates;
        if (wholeMerge || touched.size() > Math.max(1024, collected.size() / 8)) {
            collected = collectAll();
            merged = ReferencedObjects.keepReferenced(collected);
            candidates = new HashSet<>(before.keySet());
            candidates.addAll(merged.keySet());
        } else {
            // Only the keys the reads touched (issue 15: one edited file of 10,000 Ingresses is a few keys, not all).
            for (ObjectKey k : touched) {
                Observed o = firstDefinition(k);
                if (o == null) {
                    collected.remove(k);
                } else {
                    collected.put(k, o);
                }
            }
            if (touched.stream().anyMatch(ManifestDirectory::decidesReferences)) {
                merged = ReferencedObjects.keepReferenced(collected);
                candidates = new HashSet<>(before.keySet());
                candidates.addAll(merged.keySet());
            } else {
                merged = new HashMap<>(before);
                for (ObjectKey k : touched) {
                    Observed o = collected.get(k);
                    if (o == null) {
                        merged.remove(k);
                    } else {
                        merged.put(k, o);
                    }
                }
                candidates = touched;
            }
        }
        wholeMerge = false;
        objects = Map.copyOf(merged);
        List<ObjectKey> changed = candidates.stream().filter(k -> !Objects.equals(before.get(k), merged.get(k))).sorted().toList();
        touched.clear();
        if (!changed.isEmpty()) {
            onChange.accept(changed);
        }
    }

    /** Every file's objects, in path order, the first definition of a key winning (a warning names the others). */
    private Map<ObjectKey, Observed> collectAll() {
        Map<ObjectKey, Observed> out = new HashMap<>();
        Map<ObjectKey, Path> origin = new HashMap<>();
        files.forEach((path, state) -> state.objects().forEach(o -> {
            Path first = origin.putIfAbsent(o.key(), path);
            if (first == null) {
                out.put(o.key(), o);
            } else if (!first.equals(path)) {
                LOG.warn("{} is defined in {} and in {}; using the first", o.key().shortName(), first, path);
            }
        }));
        return out;
    }

    /** The object of {@code key} in the first file (in path order) that defines it, or null. */
    private Observed firstDefinition(ObjectKey key) {
        Path first = null;
        Observed found = null;
        List<Path> others = new ArrayList<>();
        for (Map.Entry<Path, FileState> e : files.entrySet()) {
            Observed o = e.getValue().byKey().get(key);
            if (o != null && found == null) {
                first = e.getKey();
                found = o;
            } else if (o != null) {
                others.add(e.getKey());
            }
        }
        if (!others.isEmpty()) {
            LOG.warn("{} is defined in {} and in {}; using the first", key.shortName(), first, others);
        }
        return found;
    }

    /** Whether a change of this object can change which Secrets and ConfigMaps are kept ({@link ReferencedObjects}). */
    private static boolean decidesReferences(ObjectKey key) {
        return key.kind() == Kind.INGRESS || key.kind() == Kind.SECRET || key.kind() == Kind.CONFIG_MAP;
    }

    private void load(Path p) {
        FileState old = files.get(p);
        String text;
        Object look;
        try {
            look = lookOf(p);
            if (old != null && look.equals(old.look())) {
                // Unchanged on disk: a scan after one file changed reads that file, not the whole tree (issue 15).
                return;
            }
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("{}: could not read: {}", p, e.toString());
            return;
        }
        if (old != null && old.text().equals(text)) {
            files.put(p, new FileState(text, old.objects(), old.documents(), look));
            return;
        }
        ManifestParser.Result r = ManifestParser.parse(clusterId, keys, text, old == null ? Map.of() : old.documents());
        if (r instanceof ManifestParser.Parsed ok) {
            FileState now = new FileState(text, ok.objects(), ok.documents(), look);
            files.put(p, now);
            touch(old == null ? Map.of() : old.byKey(), now.byKey());
        } else if (r instanceof ManifestParser.Failed f) {
            LOG.warn("{}:{}: {} (its previous objects are kept)", p, f.line(), f.message());
            files.put(p, old == null ? new FileState(text, List.of(), Map.of(), look)
                    : new FileState(text, old.objects(), old.documents(), look));
        }
    }

    /** Notes the keys whose object differs between a file's old and new objects (added, changed or removed). */
    private void touch(Map<ObjectKey, Observed> before, Map<ObjectKey, Observed> after) {
        before.forEach((k, o) -> {
            if (!o.equals(after.get(k))) {
                touched.add(k);
            }
        });
        after.keySet().forEach(k -> {
            if (!before.containsKey(k)) {
                touched.add(k);
            }
        });
    }

    /**
     * What a file looks like without reading it: size, modification time (nanoseconds where the file system keeps
     * them) and file key (the inode: a file replaced by a rename, as editors and ConfigMap volumes do, differs).
     */
    private static Object lookOf(Path p) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class);
        return java.util.Arrays.asList(a.size(), a.lastModifiedTime(), a.fileKey());
    }

    /** Watches {@code dir} unless already watched; a directory deleted and created again is watched anew. */
    private void register(Path dir) throws IOException {
        WatchKey k = watchedDirs.get(dir);
        if (k == null || !k.isValid()) {
            watchedDirs.put(dir, dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE));
        }
    }

    /**
     * The objects of a directory tree read once, without watching ({@code bin/ingress migrate}): the files
     * in path order, an object defined twice taken from the first file, as the watched directory does.
     *
     * @param problems "file:line: message" for each file that could not be read or parsed (its objects are absent)
     */
    public record Read(List<Observed> objects, List<String> problems) {
        public Read {
            objects = List.copyOf(objects);
            problems = List.copyOf(problems);
        }
    }

    public static Read readOnce(Path root, String clusterId, KeyRing keys) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(ManifestDirectory::isManifest).sorted().toList();
        }
        Map<ObjectKey, Observed> objects = new TreeMap<>();
        List<String> problems = new java.util.ArrayList<>();
        for (Path p : paths) {
            ManifestParser.Result r = ManifestParser.parse(clusterId, keys, Files.readString(p, StandardCharsets.UTF_8));
            if (r instanceof ManifestParser.Parsed ok) {
                ok.objects().forEach(o -> objects.putIfAbsent(o.key(), o));
            } else if (r instanceof ManifestParser.Failed f) {
                problems.add(p + ":" + f.line() + ": " + f.message());
            }
        }
        return new Read(List.copyOf(new TreeMap<>(ReferencedObjects.keepReferenced(objects)).values()),
                problems);
    }

    private static boolean isManifest(Path p) {
        String n = p.getFileName().toString();
        return Files.isRegularFile(p) && !n.startsWith(".") && (n.endsWith(".yaml") || n.endsWith(".yml"));
    }

    @Override
    public Map<ObjectKey, Observed> snapshot() {
        return objects;
    }

    @Override
    public Optional<Observed> get(ObjectKey key) {
        return Optional.ofNullable(objects.get(key));
    }

    @Override
    public void close() {
        try {
            watchService.close();
        } catch (IOException e) {
            LOG.debug("closing the watch service", e);
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
