package dev.sift.demo.eval;

import dev.sift.demo.Embedder;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Embeddings by text, kept in one append-only file so that a second run of the evaluation does not embed the
 * corpus again (embedding is most of a cold run's time). Keyed by the SHA-256 of the text; a record is the
 * 32-byte key and {@link Embedder#DIMS} big-endian floats. A truncated last record (a run killed while writing)
 * is ignored.
 */
final class EmbeddingCache {

    private static final int PROGRESS_EVERY = 1000;

    private final Path file;
    private final Map<String, float[]> vectors = new HashMap<>();

    EmbeddingCache(Path file) throws IOException {
        this.file = file;
        if (file != null && Files.exists(file)) {
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
                byte[] key = new byte[32];
                while (true) {
                    try {
                        in.readFully(key);
                        float[] v = new float[Embedder.DIMS];
                        for (int i = 0; i < v.length; i++) {
                            v[i] = in.readFloat();
                        }
                        vectors.put(hex(key), v);
                    } catch (EOFException e) {
                        break;
                    }
                }
            }
        }
    }

    int size() {
        return vectors.size();
    }

    /** The embeddings of {@code texts}, computing (and storing) the missing ones; returns how many were computed. */
    int embedAll(List<String> texts, Embedder embedder, List<float[]> out) throws IOException {
        List<String> missing = new ArrayList<>();
        Set<String> missingKeys = new HashSet<>();
        for (String t : texts) {
            String key = key(t);
            if (vectors.containsKey(key) == false && missingKeys.add(key)) {
                missing.add(t);
            }
        }
        if (missing.isEmpty() == false) {
            List<float[]> computed = new ArrayList<>(missing.size());
            long t0 = System.nanoTime();
            for (int from = 0; from < missing.size(); from += PROGRESS_EVERY) {
                computed.addAll(embedder.embedAll(missing.subList(from, Math.min(missing.size(), from + PROGRESS_EVERY))));
                if (missing.size() > PROGRESS_EVERY) {
                    System.err.printf(
                        Locale.ROOT,
                        "  embedded %d of %d texts (%.1f ms each)%n",
                        computed.size(),
                        missing.size(),
                        (System.nanoTime() - t0) / 1e6 / computed.size()
                    );
                }
            }
            DataOutputStream append = null;
            try {
                if (file != null) {
                    Files.createDirectories(file.getParent());
                    append = new DataOutputStream(
                        new BufferedOutputStream(
                            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                        )
                    );
                }
                for (int i = 0; i < missing.size(); i++) {
                    String key = key(missing.get(i));
                    vectors.put(key, computed.get(i));
                    if (append != null) {
                        append.write(unhex(key));
                        for (float f : computed.get(i)) {
                            append.writeFloat(f);
                        }
                    }
                }
            } finally {
                if (append != null) {
                    append.close();
                }
            }
        }
        for (String t : texts) {
            out.add(vectors.get(key(t)));
        }
        return missing.size();
    }

    private static String key(String text) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder(b.length * 2);
        for (byte x : b) {
            s.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return s.toString();
    }

    private static byte[] unhex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
