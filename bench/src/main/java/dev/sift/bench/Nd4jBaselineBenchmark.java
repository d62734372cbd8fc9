package dev.sift.bench;

import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.KernelOpsProvider;
import dev.sift.engine.kernels.ScalarKernelOps;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
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
 * The ND4J baseline of the compute-backend decision (docs/design.md): the same greedy SIFT selection as
 * {@code dev.sift.engine.SiftSelector}, written with ND4J 1.0.0-M2.1 operations (one {@code mmul} for the kernel
 * column and a handful of element-wise ops per step), next to the engine on the same data in the same JVM.
 *
 * <p>{@code impl}: {@code nd4j-double} (double precision throughout, like the engine's accumulation),
 * {@code nd4j-float} (float, ND4J's natural type), {@code engine-scalar} and {@code engine-panama} (the plugin's
 * CPU backend with each kernel). The set-up checks that ND4J picks what the engine picks, so the figures compare
 * the same computation. {@link SmallOp} measures the fixed cost of one small ND4J op (an element-wise product
 * of two K-vectors), which a selection pays N·(ops per step) times.
 *
 * <p>ND4J runs its native ops on OpenMP threads (all cores by default); the engine runs on the calling thread.
 * Data: unit Gaussian vectors and one unit query from a fixed seed, as in {@link EngineBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g", "--add-modules=jdk.incubator.vector" })
public class Nd4jBaselineBenchmark {

    /** The comparison: K=2000 candidates, d=768, N=50 picks. */
    @Param({ "2000x768x50" })
    public String shape;

    @Param({ "nd4j-double", "nd4j-float", "engine-scalar", "engine-panama" })
    public String impl;

    private int k;
    private int d;
    private int n;
    private float[] candidates;
    private float[] query;
    private SelectionProblem problem;
    private SiftOptions options;
    private SiftSelector engine;
    private DataType type;
    private INDArray x;
    private INDArray q;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        k = Integer.parseInt(parts[0]);
        d = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        Random random = new Random(42);
        candidates = EngineBenchmark.unitVectors(random, k, d);
        query = EngineBenchmark.unitVectors(random, 1, d);
        problem = new SelectionProblem(candidates, query, d);
        options = SiftOptions.builder(n).build();
        int[] expected = new SiftSelector(ScalarKernelOps.INSTANCE).select(problem, options).picks();
        switch (impl) {
            case "engine-scalar", "engine-panama" -> {
                KernelOps ops = KernelOpsProvider.choose(impl.substring("engine-".length())).ops();
                engine = new SiftSelector(ops);
            }
            case "nd4j-double", "nd4j-float" -> {
                type = impl.equals("nd4j-double") ? DataType.DOUBLE : DataType.FLOAT;
                x = Nd4j.create(candidates, new long[] { k, d }, 'c').castTo(type);
                q = Nd4j.create(query, new long[] { d, 1 }, 'c').castTo(type);
                int[] picks = nd4jSift();
                // Double precision must agree pick for pick; float may reorder near-ties, and says so.
                if (type == DataType.DOUBLE && Arrays.equals(picks, expected) == false) {
                    throw new IllegalStateException("ND4J picks " + Arrays.toString(picks) + " but the engine picks " + Arrays.toString(expected));
                }
                if (Arrays.equals(picks, expected) == false) {
                    System.err.println("[" + impl + "] picks differ from the engine's (float rounding): first difference at step "
                        + firstDifference(picks, expected));
                }
            }
            default -> throw new IllegalArgumentException("unknown impl [" + impl + "]");
        }
    }

    private static int firstDifference(int[] a, int[] b) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    @Benchmark
    public int[] select() {
        return engine != null ? engine.select(problem, options).picks() : nd4jSift();
    }

    /**
     * The fixed cost of one small ND4J op: an element-wise product of two K-vectors (K=2000), the kind of op a
     * SIFT step issues several of. The engine has no counterpart: its step is a plain loop.
     */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    @Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
    public static class SmallOp { // JMH does not carry the enclosing class's annotations over to a nested one

        @Param({ "DOUBLE", "FLOAT" })
        public String type;

        private INDArray a;
        private INDArray b;

        @Setup
        public void setUp() {
            DataType dataType = DataType.valueOf(type);
            a = Nd4j.rand(dataType, 2000, 1);
            b = Nd4j.rand(dataType, 2000, 1);
        }

        @Benchmark
        @OutputTimeUnit(TimeUnit.MICROSECONDS)
        public INDArray mul() {
            return a.mul(b);
        }
    }

    /**
     * Greedy SIFT (SIFT.md), one target, no repeats, with ND4J ops. Per step: gains = cross² / (diag + λ) over the
     * untaken candidates, argmax, the new kernel column X·x (one gemv) minus the earlier picks' rank-one
     * corrections C[:, :t]·C[x, :t]ᵀ (one more gemv), then updates of cross and diag. K×d·N + K·N² multiply-adds,
     * the same count as the engine.
     */
    int[] nd4jSift() {
        double lambda = options.lambda();
        INDArray diag = x.mul(x).sum(1).reshape(k, 1);
        INDArray cross = x.mmul(q);
        INDArray taken = Nd4j.zeros(type, k, 1); // -inf once picked
        INDArray columns = Nd4j.zeros(type, k, n);
        int[] picks = new int[n];
        for (int t = 0; t < n; t++) {
            INDArray gains = cross.mul(cross).divi(diag.add(lambda)).addi(taken);
            int best = gains.argMax().getInt(0);
            double scale = 1.0 / Math.sqrt(diag.getDouble(best) + lambda);
            INDArray column = x.mmul(x.getRow(best).reshape(d, 1));
            if (t > 0) {
                INDArray earlier = columns.get(NDArrayIndex.all(), NDArrayIndex.interval(0, t));
                column.subi(earlier.mmul(earlier.getRow(best).reshape(t, 1)));
            }
            column.muli(scale);
            cross.subi(column.mul(cross.getDouble(best) * scale));
            diag.subi(column.mul(column));
            Transforms.max(diag, 0.0, false);
            columns.putColumn(t, column);
            taken.putScalar(best, Double.NEGATIVE_INFINITY);
            picks[t] = best;
        }
        return picks;
    }
}
