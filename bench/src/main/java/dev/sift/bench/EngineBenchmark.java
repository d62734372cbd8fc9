package dev.sift.bench;

import dev.sift.engine.Cancellation;
import dev.sift.engine.MmrSelector;
import dev.sift.engine.NearestSelector;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.compute.KernelOps;
import dev.sift.engine.compute.KernelOpsProvider;
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
 * <p>Data: unit vectors with independent Gaussian entries and one unit query, from a fixed seed. The cost of a
 * selection does not depend on the values (no early exits), so random data measures the same work as real
 * embeddings.
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
        problem = new SelectionProblem(unitVectors(random, k, d), unitVectors(random, 1, d), d);
        options = SiftOptions.builder(size).build();
        KernelOps kernelOps = KernelOpsProvider.choose(ops).ops();
        sift = new SiftSelector(kernelOps);
        mmr = new MmrSelector(kernelOps);
        nearest = new NearestSelector(kernelOps);
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
