package dev.sift.bench;

import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.KernelOpsProvider;
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
 * The hot loop alone: one matrix-vector product {@code K×d · d} ({@link KernelOps#dotRows}), K·d multiply-adds,
 * which a SIFT selection runs once per pick. Shows how fast the kernels are when the candidate matrix comes from
 * L2 (small K·d) or from L3/memory (large K·d), separately from the rest of a selection; and four or five such
 * products sharing one read of the rows ({@code dotRowsFour}, {@code dotRowsFive}), as a selection computes the
 * likely next picks' columns (five with the 512-bit kernels, four with the others).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xms2g", "-Xmx2g" })
public class DotRowsBenchmark {

    @Param({ "100x768", "1000x384", "1000x768", "1000x1536", "10000x768" })
    public String shape;

    @Param({ "scalar", "panama" })
    public String ops;

    private KernelOps kernelOps;
    private float[] rows;
    private int count;
    private int dims;
    private double[] out;
    private double[][] outs;
    private double[] widened;
    private int next;

    @Setup
    public void setUp() {
        String[] parts = shape.split("x");
        count = Integer.parseInt(parts[0]);
        dims = Integer.parseInt(parts[1]);
        rows = EngineBenchmark.unitVectors(new Random(42), count, dims);
        out = new double[count];
        int products = 5;
        outs = new double[products][count];
        widened = new double[products * dims];
        for (int i = 0; i < widened.length; i++) {
            widened[i] = rows[i];
        }
        kernelOps = KernelOpsProvider.choose(ops).ops();
    }

    @Benchmark
    public double[] dotRows() {
        // The vector is one of the rows, as in a selection; cycle through them so no single one stays hot.
        next = (next + 7) % count;
        kernelOps.dotRows(rows, count, dims, rows, next * dims, out);
        return out;
    }

    /** Four products in one read of the rows ({@link KernelOps#dotRowRangeMany}): 4·K·d multiply-adds. */
    @Benchmark
    public double[][] dotRowsFour() {
        kernelOps.dotRowRangeMany(rows, 0, count, dims, widened, 4, outs);
        return outs;
    }

    /** Five products in one read of the rows: 5·K·d multiply-adds. */
    @Benchmark
    public double[][] dotRowsFive() {
        kernelOps.dotRowRangeMany(rows, 0, count, dims, widened, 5, outs);
        return outs;
    }
}
