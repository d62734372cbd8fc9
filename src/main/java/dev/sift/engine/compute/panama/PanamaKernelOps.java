package dev.sift.engine.compute.panama;

import dev.sift.engine.compute.KernelOps;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link KernelOps} on the JDK Vector API. Floats are widened to doubles in registers (the products are
 * exact), and the eight contract lanes are one 512-bit accumulator, or two 256-bit ones on AVX2-class
 * hardware, so the result is bit-identical to {@link dev.sift.engine.compute.ScalarKernelOps}. Only loaded
 * when the {@code jdk.incubator.vector} module is present (see {@code KernelOpsProvider}).
 */
public final class PanamaKernelOps implements KernelOps {

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D8 = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

    private final boolean wide;

    /** @param wide use 512-bit double vectors (true where the hardware has them natively) */
    public PanamaKernelOps(boolean wide) {
        this.wide = wide;
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
    public String name() {
        return wide ? "panama[512]" : "panama[256]";
    }

    @Override
    public double dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return wide ? dot512(a, aOffset, b, bOffset, length) : dot256(a, aOffset, b, bOffset, length);
    }

    @Override
    public void dotRows(float[] rows, int count, int dims, float[] x, int xOffset, double[] out) {
        int r = 0;
        if (wide) {
            // Four rows at a time: each block of x is widened once and used four times.
            for (; r + 4 <= count; r += 4) {
                dotFourRows512(rows, r * dims, dims, x, xOffset, out, r);
            }
        }
        for (; r < count; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }

    private static DoubleVector widen8(float[] a, int offset) {
        return (DoubleVector) FloatVector.fromArray(F8, a, offset).convertShape(VectorOperators.F2D, D8, 0);
    }

    private static DoubleVector widen4(float[] a, int offset) {
        return (DoubleVector) FloatVector.fromArray(F4, a, offset).convertShape(VectorOperators.F2D, D4, 0);
    }

    private static double dot512(float[] a, int aOffset, float[] b, int bOffset, int length) {
        DoubleVector acc = DoubleVector.zero(D8);
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            acc = widen8(a, aOffset + i).fma(widen8(b, bOffset + i), acc);
        }
        double[] lanes = new double[LANES];
        acc.intoArray(lanes, 0);
        return finish(lanes, a, aOffset, b, bOffset, i, length);
    }

    private static double dot256(float[] a, int aOffset, float[] b, int bOffset, int length) {
        DoubleVector lo = DoubleVector.zero(D4);
        DoubleVector hi = DoubleVector.zero(D4);
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            lo = widen4(a, aOffset + i).fma(widen4(b, bOffset + i), lo);
            hi = widen4(a, aOffset + i + 4).fma(widen4(b, bOffset + i + 4), hi);
        }
        double[] lanes = new double[LANES];
        lo.intoArray(lanes, 0);
        hi.intoArray(lanes, 4);
        return finish(lanes, a, aOffset, b, bOffset, i, length);
    }

    private static void dotFourRows512(float[] rows, int offset, int dims, float[] x, int xOffset, double[] out, int r) {
        DoubleVector acc0 = DoubleVector.zero(D8);
        DoubleVector acc1 = DoubleVector.zero(D8);
        DoubleVector acc2 = DoubleVector.zero(D8);
        DoubleVector acc3 = DoubleVector.zero(D8);
        int o1 = offset + dims, o2 = o1 + dims, o3 = o2 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector xv = widen8(x, xOffset + i);
            acc0 = widen8(rows, offset + i).fma(xv, acc0);
            acc1 = widen8(rows, o1 + i).fma(xv, acc1);
            acc2 = widen8(rows, o2 + i).fma(xv, acc2);
            acc3 = widen8(rows, o3 + i).fma(xv, acc3);
        }
        double[] lanes = new double[LANES];
        acc0.intoArray(lanes, 0);
        out[r] = finish(lanes, rows, offset, x, xOffset, i, dims);
        acc1.intoArray(lanes, 0);
        out[r + 1] = finish(lanes, rows, o1, x, xOffset, i, dims);
        acc2.intoArray(lanes, 0);
        out[r + 2] = finish(lanes, rows, o2, x, xOffset, i, dims);
        acc3.intoArray(lanes, 0);
        out[r + 3] = finish(lanes, rows, o3, x, xOffset, i, dims);
    }

    /** Adds the tail past the last full block to lanes 0, 1, … and sums the lanes in contract order. */
    private static double finish(double[] lanes, float[] a, int aOffset, float[] b, int bOffset, int from, int length) {
        for (int i = from, lane = 0; i < length; i++, lane++) {
            lanes[lane] += (double) a[aOffset + i] * b[bOffset + i];
        }
        return KernelOps.sumLanes(lanes);
    }
}
