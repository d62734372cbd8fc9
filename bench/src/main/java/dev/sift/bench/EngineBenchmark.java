package dev.sift.bench;

import dev.sift.engine.Cancellation;
import dev.sift.engine.MmrSelector;
import dev.sift.engine.NearestSelector;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.KernelOpsProvider;
import dev.sift.engine.kernels.ScalarKernelOps;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One selection of {@code N} from {@code K} candidates of {@code d} dimensions, single-threaded, for SIFT and the
 * two baselines, on each {@link KernelOps} backend.
 *
 * <p>The shape is one parameter, {@code KxdxN}, listing only the combinations with {@code N <= K} (JMH cannot
 * skip combinations of separate parameters). The multiply-add floor of a SIFT selection is
 * {@code N·K·d + N²·K} (SIFT.md); {@code bench/report.py} turns the times into GFMA/s against it.
 *
 * <p>Data ({@code data}), from a fixed seed: {@code gaussian}, unit vectors with independent Gaussian entries and
 * one unit query; {@code clustered}, unit vectors shaped like embeddings of a corpus with repeated content: a
 * direction all share, 20 topics, and groups of 1 to 6 near-duplicates, with a query on one topic. The floor is
 * the same for both, but the work is not: the engine computes the columns of its guessed next picks in the pass
 * of the current one, and its guesses are right less often on clustered data.
 *
 * <p>Both sets are in random order and spread around the query. The engine's real input is a kNN window: the
 * {@code K} candidates of a larger corpus nearest the query, best first. {@code gaussian-knn} and
 * {@code clustered-knn} are that: the {@code K} of {@value #KNN_CORPUS_FACTOR}·K vectors of the named kind with the
 * largest inner product with the query (the cosine order, as they are unit vectors), in that order. Not in the
 * default grid ({@code -p data=gaussian-knn,clustered-knn}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class EngineBenchmark {

    @Param({
        "100x384x10", "100x384x50",
        "100x768x10", "100x768x50",
        "100x1536x10", "100x1536x50",
        "1000x384x10", "1000x384x50", "1000x384x200",
        "1000x768x10", "1000x768x50", "1000x768x200",
        "1000x1536x10", "1000x1536x50", "1000x1536x200",
        "10000x384x10", "10000x384x50", "10000x384x200",
        "10000x768x10", "10000x768x50", "10000x768x200",
        "10000x1536x10", "10000x1536x50", "10000x1536x200" })
    public String shape;

    @Param({ "gaussian", "clustered" })
    public String data;

    /** A {@code -knn} data set's window is the nearest K of this many times K vectors. */
    static final int KNN_CORPUS_FACTOR = 4;

    /** {@code scalar} or {@code panama}, forced through {@link KernelOpsProvider#choose(String)}. */
    @Param({ "scalar", "panama" })
    public String ops;

    private SelectionProblem problem;
    private SiftOptions options;
    private int size;
    private SiftSelector sift;
    private MmrSelector mmr;
    private NearestSelector nearest;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        int k = Integer.parseInt(parts[0]);
        int d = Integer.parseInt(parts[1]);
        size = Integer.parseInt(parts[2]);
        Random random = new Random(42);
        problem = switch (data) {
            case "gaussian" -> gaussian(random, k, d);
            case "clustered" -> clustered(random, k, d);
            case "gaussian-knn" -> knnWindow(gaussian(random, KNN_CORPUS_FACTOR * k, d), k);
            case "clustered-knn" -> knnWindow(clustered(random, KNN_CORPUS_FACTOR * k, d), k);
            default -> throw new IllegalArgumentException("unknown data [" + data + "]");
        };
        options = SiftOptions.builder(size).build();
        KernelOps kernelOps = KernelOpsProvider.choose(ops).ops();
        sift = new SiftSelector(kernelOps);
        mmr = new MmrSelector(kernelOps);
        nearest = new NearestSelector(kernelOps);
    }

    static SelectionProblem gaussian(Random random, int count, int dims) {
        return new SelectionProblem(unitVectors(random, count, dims), unitVectors(random, 1, dims), dims);
    }

    /** The {@code count} candidates of {@code corpus} of largest inner product with its query, largest first. */
    static SelectionProblem knnWindow(SelectionProblem corpus, int count) {
        int dims = corpus.dims();
        float[] vectors = corpus.candidates();
        float[] query = corpus.targets();
        double[] scores = new double[corpus.candidateCount()];
        ScalarKernelOps.INSTANCE.dotRows(vectors, scores.length, dims, query, 0, scores);
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < scores.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a])); // stable: ties keep corpus order
        float[] window = new float[count * dims];
        for (int i = 0; i < count; i++) {
            System.arraycopy(vectors, order[i] * dims, window, i * dims, dims);
        }
        return new SelectionProblem(window, query, dims);
    }

    static float[] unitVectors(Random random, int count, int dims) {
        float[] out = new float[count * dims];
        double[] v = new double[dims];
        for (int i = 0; i < count; i++) {
            double sq = 0;
            for (int j = 0; j < dims; j++) {
                v[j] = random.nextGaussian();
                sq += v[j] * v[j];
            }
            double scale = 1 / Math.sqrt(sq);
            for (int j = 0; j < dims; j++) {
                out[i * dims + j] = (float) (v[j] * scale);
            }
        }
        return out;
    }

    /** See the class comment: shared direction + topic + group centre + per-vector noise, normalised. */
    static SelectionProblem clustered(Random random, int count, int dims) {
        int topicCount = 20;
        float[] shared = unitVectors(random, 1, dims);
        float[] topics = unitVectors(random, topicCount, dims);
        double noise = 1 / Math.sqrt(dims);
        float[] vectors = new float[count * dims];
        double[] centre = new double[dims];
        for (int i = 0; i < count;) {
            int topic = random.nextInt(topicCount);
            for (int j = 0; j < dims; j++) {
                centre[j] = 0.8 * shared[j] + 0.7 * topics[topic * dims + j] + 0.6 * noise * random.nextGaussian();
            }
            for (int member = 1 + random.nextInt(6); member > 0 && i < count; member--, i++) {
                addNormalised(vectors, i, centre, 0.15 * noise, random);
            }
        }
        float[] query = new float[dims];
        for (int j = 0; j < dims; j++) {
            centre[j] = 0.8 * shared[j] + 0.7 * topics[j];
        }
        addNormalised(query, 0, centre, 0.6 * noise, random);
        return new SelectionProblem(vectors, query, dims);
    }

    private static void addNormalised(float[] out, int row, double[] centre, double noise, Random random) {
        int dims = centre.length;
        double[] v = new double[dims];
        double sq = 0;
        for (int j = 0; j < dims; j++) {
            v[j] = centre[j] + noise * random.nextGaussian();
            sq += v[j] * v[j];
        }
        double scale = 1 / Math.sqrt(sq);
        for (int j = 0; j < dims; j++) {
            out[row * dims + j] = (float) (v[j] * scale);
        }
    }

    @Benchmark
    public Selection sift() {
        return sift.select(problem, options);
    }

    @Benchmark
    public Selection mmr() {
        return mmr.select(problem, size, 0.5, SiftOptions.DEFAULT_LAMBDA, Cancellation.NONE);
    }

    @Benchmark
    public Selection nearest() {
        return nearest.select(problem, size, SiftOptions.DEFAULT_LAMBDA, Cancellation.NONE);
    }
}
