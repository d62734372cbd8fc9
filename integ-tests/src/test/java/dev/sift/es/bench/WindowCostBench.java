package dev.sift.es.bench;

import dev.sift.engine.Cancellation;
import dev.sift.es.SelectionMethod;
import dev.sift.es.SelectionSpec;
import dev.sift.es.WindowSelector;
import dev.sift.es.compute.SiftCompute;
import dev.sift.es.vectors.VectorField;
import dev.sift.es.vectors.WindowVectorReader;
import dev.sift.es.vectors.WindowVectors;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.index.codec.vectors.ES813Int8FlatVectorFormat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Where a {@code sift} rescore's time goes, measured in-process (run by {@code scripts/bench-node micro}):
 * {@link WindowVectorReader#read} (reading the window's vectors from the index) against
 * {@link WindowSelector#select} (the selection itself), for each window × selection size and method.
 *
 * <p>Why in-process: the node's {@code profile} output does not break the rescore phase down, and comparing
 * {@code method: nearest} with {@code method: sift} on the node does not isolate the reading either, because
 * {@code nearest} scores its order with SIFT's surrogate (N posterior updates, the same N·K·d + N²·K as SIFT's
 * greedy pass). Here the same two calls the rescorer makes are timed around each other on a one-segment Lucene
 * index laid out like the node's {@code int8_hnsw} index (the int8 flat format: quantized vectors plus the raw
 * float vectors, which are what is read; the HNSW graph is irrelevant to reading and is left out to save the build).
 * The window is the exact top-K of a query, in score order, as the kNN phase hands it over.
 *
 * <p>Arguments ({@code --name value}): docs (default 100000), dims (384), seed (42), windows (100,1000,10000),
 * sizes (10,100), reps (30), queries (8), out, dir (index directory, reused when it holds the same corpus).
 */
public final class WindowCostBench {

    private WindowCostBench() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new LinkedHashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        int docs = Integer.parseInt(args.getOrDefault("docs", "100000"));
        int dims = Integer.parseInt(args.getOrDefault("dims", "384"));
        long seed = Long.parseLong(args.getOrDefault("seed", "42"));
        int[] windows = ints(args.getOrDefault("windows", "100,1000,10000"));
        int[] sizes = ints(args.getOrDefault("sizes", "10,100"));
        int reps = Integer.parseInt(args.getOrDefault("reps", "30"));
        int queries = Integer.parseInt(args.getOrDefault("queries", "8"));
        Path out = Path.of(args.getOrDefault("out", "target/bench-node"));
        SyntheticCorpus corpus = SyntheticCorpus.of(docs, dims, seed);
        Path dir = Path.of(args.getOrDefault("dir", out.resolve("micro-index-" + docs + "x" + dims + "-" + seed).toString()));

        // Elasticsearch's own classes (the vector formats) log; give them the logging a test JVM would have
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(Settings.EMPTY);
        SiftCompute compute = SiftCompute.current(); // the standalone choice: sift.backend auto, the JVM's kernels
        String device = compute.backend().name() + " " + compute.backend().device();
        System.out.println("[micro] backend: " + device);
        buildIndex(dir, corpus);

        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "In-process, %,d × %d corpus, one segment (int8 flat format), backend %s, %s %s.%n%n",
            docs, dims, device, System.getProperty("java.vm.name"), System.getProperty("java.version")));
        md.append("| window K | select N | read vectors p50 | sift select p50 | mmr select p50 | nearest select p50 | read share of sift | N·K·d + N²·K | sift GMAC/s |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        try (Directory directory = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(directory)) {
            VectorField field = new VectorField("emb", VectorField.ElementType.FLOAT, dims, true, true, IndexVersion.current());
            for (int window : windows) {
                List<int[]> windowDocs = new ArrayList<>();
                for (int q = 0; q < queries; q++) {
                    windowDocs.add(topK(reader, corpus.query(q), window));
                }
                for (int size : sizes) {
                    LatencyStats read = new LatencyStats();
                    Map<SelectionMethod, LatencyStats> select = new LinkedHashMap<>();
                    for (SelectionMethod m : SelectionMethod.values()) select.put(m, new LatencyStats());
                    int repetitions = window >= 10_000 ? Math.max(5, reps / 3) : reps;
                    int warmup = Math.max(3, repetitions / 5);
                    for (int r = -warmup; r < repetitions; r++) {
                        int q = Math.floorMod(r, queries);
                        float[] target = corpus.query(q);
                        long t0 = System.nanoTime();
                        WindowVectors vectors = WindowVectorReader.read(reader, field, windowDocs.get(q));
                        long t1 = System.nanoTime();
                        if (r >= 0) read.add((t1 - t0) / 1e6);
                        for (SelectionMethod m : SelectionMethod.values()) {
                            SelectionSpec spec = spec(target, size, m);
                            long s0 = System.nanoTime();
                            WindowSelector.Picks picks = WindowSelector.select(compute, spec, target, vectors, size, Cancellation.NONE, null);
                            long s1 = System.nanoTime();
                            if (picks.count() != Math.min(size, window)) throw new IllegalStateException("picked " + picks.count());
                            if (r >= 0) select.get(m).add((s1 - s0) / 1e6);
                        }
                    }
                    double floor = (double) size * window * dims + (double) size * size * window;
                    double sift = select.get(SelectionMethod.SIFT).median();
                    String line = String.format(Locale.ROOT, "| %d | %d | %.3f ms | %.3f ms | %.3f ms | %.3f ms | %.0f%% | %.2e | %.1f |",
                        window, size, read.median(), sift, select.get(SelectionMethod.MMR).median(), select.get(SelectionMethod.NEAREST).median(),
                        100 * read.median() / (read.median() + sift), floor, floor / (sift * 1e6));
                    System.out.println(line);
                    md.append(line).append('\n');
                }
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("micro.md"), md, StandardCharsets.UTF_8);
        System.out.println("[micro] wrote " + out.resolve("micro.md"));
    }

    private static SelectionSpec spec(float[] target, int size, SelectionMethod method) {
        List<Float> vector = new ArrayList<>(target.length);
        for (float f : target) vector.add(f);
        return new SelectionSpec.Builder().field("emb").queryVector(vector).lambda(0.01).size(size).method(method).build(true);
    }

    /** Builds (or reuses) a one-segment index of the corpus; doc ids are the corpus's doc numbers. */
    private static void buildIndex(Path dir, SyntheticCorpus corpus) throws Exception {
        Path marker = dir.resolve("complete");
        if (Files.exists(marker)) {
            System.out.println("[micro] reusing " + dir);
            return;
        }
        long start = System.nanoTime();
        Files.createDirectories(dir);
        IndexWriterConfig config = new IndexWriterConfig().setCodec(new Lucene912Codec() {
            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                return new ES813Int8FlatVectorFormat();
            }
        }).setOpenMode(IndexWriterConfig.OpenMode.CREATE).setRAMBufferSizeMB(256);
        try (Directory directory = FSDirectory.open(dir); IndexWriter writer = new IndexWriter(directory, config)) {
            for (int i = 0; i < corpus.docs; i++) {
                Document doc = new Document();
                doc.add(new KnnFloatVectorField("emb", corpus.vector(i), VectorSimilarityFunction.DOT_PRODUCT));
                writer.addDocument(doc);
            }
            writer.forceMerge(1);
            writer.commit();
        }
        Files.writeString(marker, "ok");
        System.out.printf(Locale.ROOT, "[micro] indexed %,d docs in %.0f s%n", corpus.docs, (System.nanoTime() - start) / 1e9);
    }

    /** Exact top-k doc ids by inner product, best first (what an exact kNN phase would hand over). */
    private static int[] topK(DirectoryReader reader, float[] query, int k) throws Exception {
        PriorityQueue<double[]> heap = new PriorityQueue<>((a, b) -> Double.compare(a[0], b[0]));
        LeafReader leaf = reader.leaves().get(0).reader();
        int base = reader.leaves().get(0).docBase;
        FloatVectorValues values = leaf.getFloatVectorValues("emb");
        for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
            float[] v = values.vectorValue();
            double dot = 0;
            for (int i = 0; i < v.length; i++) dot += v[i] * query[i];
            if (heap.size() < k) {
                heap.add(new double[] { dot, base + doc });
            } else if (dot > heap.peek()[0]) {
                heap.poll();
                heap.add(new double[] { dot, base + doc });
            }
        }
        int[] out = new int[heap.size()];
        for (int i = out.length - 1; i >= 0; i--) out[i] = (int) heap.poll()[1];
        return out;
    }

    private static int[] ints(String csv) {
        String[] parts = csv.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) out[i] = Integer.parseInt(parts[i].trim());
        return out;
    }
}
