package dev.sift.engine.kernels.panama;

import dev.sift.engine.kernels.KernelOps;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KernelOps} on the JDK Vector API, in two widths: {@link Panama512KernelOps} (one 512-bit accumulator
 * holds the contract's eight lanes) and {@link Panama256KernelOps} (two 256-bit ones, for AVX2-class hardware).
 * Floats are widened to doubles in registers (the products are exact) and summed in the contract's lanes and order,
 * so both are bit-identical to {@link dev.sift.engine.kernels.ScalarKernelOps}. Only loaded when the
 * {@code jdk.incubator.vector} module is present ({@code KernelOpsProvider} builds them with {@link #of}).
 *
 * <p>Throughput: the float-to-double widening of each candidate element costs about as much as its
 * multiply-add, so with the candidates in L2 a 512-bit core does about 5 multiply-adds per cycle (a third of
 * its double-precision peak); with the candidates in L3 or memory, reading 4 bytes per multiply-add is the limit.
 * The matrix-vector products therefore take several rows per block, so each widened block of {@code x} serves
 * every row of the block and the row streams are read side by side.
 */
public abstract sealed class PanamaKernelOps implements KernelOps permits Panama512KernelOps, Panama256KernelOps {

    /** {@link #argmax} has no summation order to keep, so it takes the widest vectors the hardware has. */
    private static final VectorSpecies<Double> SWEEP = DoubleVector.SPECIES_PREFERRED;

    PanamaKernelOps() {}

    /** @param wide the 512-bit kernels (where the hardware has them natively), else the 256-bit ones */
    public static PanamaKernelOps of(boolean wide) {
        return wide ? new Panama512KernelOps() : new Panama256KernelOps();
    }

    /** Whether the preferred double species holds all eight lanes in one register. */
    public static boolean hardwareIsWide() {
        return DoubleVector.SPECIES_PREFERRED.length() >= LANES;
    }

    /** Whether the preferred species is at least 256 bits: below that the scalar loop is as fast. */
    public static boolean hardwareHas256Bits() {
        return DoubleVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    @Override
    public void dotRows(float[] rows, int count, int dims, float[] x, int xOffset, double[] out) {
        dotRowRange(rows, 0, count, dims, x, xOffset, out);
    }

    @Override
    public int argmax(double[] values, boolean[] excluded, int length) {
        // Each lane keeps its largest value and the first index where it met it; of the lanes holding the overall
        // largest, the smallest index is the first occurrence overall.
        int step = SWEEP.length();
        int vectorTo = SWEEP.loopBound(length);
        DoubleVector best = DoubleVector.broadcast(SWEEP, Double.NEGATIVE_INFINITY);
        DoubleVector bestIndex = DoubleVector.broadcast(SWEEP, -1);
        DoubleVector index = DoubleVector.zero(SWEEP).addIndex(1);
        for (int i = 0; i < vectorTo; i += step) {
            DoubleVector v = DoubleVector.fromArray(SWEEP, values, i);
            VectorMask<Double> larger = v.compare(VectorOperators.GT, best).andNot(VectorMask.fromArray(SWEEP, excluded, i));
            best = best.blend(v, larger);
            bestIndex = bestIndex.blend(index, larger);
            index = index.add(step);
        }
        double bestValue = best.reduceLanes(VectorOperators.MAX);
        int at = -1;
        if (bestValue > Double.NEGATIVE_INFINITY) {
            at = (int) bestIndex.blend(Double.POSITIVE_INFINITY, best.compare(VectorOperators.NE, bestValue)).reduceLanes(VectorOperators.MIN);
        }
        return KernelOps.argmaxFrom(values, excluded, vectorTo, length, at);
    }

    /** {@link #finish} for a vector already widened to doubles. */
    static double finishWidened(double[] lanes, float[] a, int aOffset, double[] b, int bOffset, int from, int length) {
        for (int i = from, lane = 0; i < length; i++, lane++) {
            lanes[lane] += a[aOffset + i] * b[bOffset + i];
        }
        return KernelOps.sumLanes(lanes);
    }

    /** Adds the tail past the last full block to lanes 0, 1, … and sums the lanes in contract order. */
    static double finish(double[] lanes, float[] a, int aOffset, float[] b, int bOffset, int from, int length) {
        for (int i = from, lane = 0; i < length; i++, lane++) {
            lanes[lane] += (double) a[aOffset + i] * b[bOffset + i];
        }
        return KernelOps.sumLanes(lanes);
    }
}
