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
 *
 * <p>Throughput: the float-to-double widening of each candidate element costs about as much as its
 * multiply-add, so with the candidates in L2 a 512-bit core does about 5 multiply-adds per cycle (a third of
 * its double-precision peak); with the candidates in L3 or memory, reading 4 bytes per multiply-add is the limit.
 * {@link #dotRowRange} therefore takes several rows per block, so each widened block of {@code x} serves
 * every row of the block and the row streams are read side by side.
 */
public final class PanamaKernelOps implements KernelOps {

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D8 = DoubleVector.SPECIES_512;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

    /** Rows per block of the 512-bit matrix-vector product: 8 accumulators plus x and a row use 10 of 32 registers. */
    private static final int WIDE_BLOCK_ROWS = 8;
    /** Rows per block of the 256-bit product: 8 half-accumulators plus x's halves use 10 of 16 registers. */
    private static final int NARROW_BLOCK_ROWS = 4;

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
        dotRowRange(rows, 0, count, dims, x, xOffset, out);
    }

    @Override
    public void dotRowRange(float[] rows, int from, int to, int dims, float[] x, int xOffset, double[] out) {
        int r = from;
        double[] lanes = new double[LANES];
        if (wide) {
            for (; r + WIDE_BLOCK_ROWS <= to; r += WIDE_BLOCK_ROWS) {
                dotEightRows512(rows, r, dims, x, xOffset, out, lanes);
            }
        } else {
            for (; r + NARROW_BLOCK_ROWS <= to; r += NARROW_BLOCK_ROWS) {
                dotFourRows256(rows, r, dims, x, xOffset, out, lanes);
            }
        }
        for (; r < to; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }

    @Override
    public void dotRowsAndNorms(float[] rows, int count, int dims, float[] x, int xOffset, double[] out, double[] norms) {
        if (wide == false) {
            KernelOps.super.dotRowsAndNorms(rows, count, dims, x, xOffset, out, norms);
            return;
        }
        double[] lanes = new double[LANES];
        int r = 0;
        for (; r + 4 <= count; r += 4) {
            dotAndNormFourRows512(rows, r, dims, x, xOffset, out, norms, lanes);
        }
        for (; r < count; r++) {
            norms[r] = dot512(rows, r * dims, rows, r * dims, dims);
            out[r] = dot512(rows, r * dims, x, xOffset, dims);
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

    /** Rows {@code r .. r+7}: each widened block of x is used eight times. */
    private static void dotEightRows512(float[] rows, int r, int dims, float[] x, int xOffset, double[] out, double[] lanes) {
        DoubleVector acc0 = DoubleVector.zero(D8), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        DoubleVector acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
        int o0 = r * dims, o1 = o0 + dims, o2 = o1 + dims, o3 = o2 + dims;
        int o4 = o3 + dims, o5 = o4 + dims, o6 = o5 + dims, o7 = o6 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector xv = widen8(x, xOffset + i);
            acc0 = widen8(rows, o0 + i).fma(xv, acc0);
            acc1 = widen8(rows, o1 + i).fma(xv, acc1);
            acc2 = widen8(rows, o2 + i).fma(xv, acc2);
            acc3 = widen8(rows, o3 + i).fma(xv, acc3);
            acc4 = widen8(rows, o4 + i).fma(xv, acc4);
            acc5 = widen8(rows, o5 + i).fma(xv, acc5);
            acc6 = widen8(rows, o6 + i).fma(xv, acc6);
            acc7 = widen8(rows, o7 + i).fma(xv, acc7);
        }
        acc0.intoArray(lanes, 0);
        out[r] = finish(lanes, rows, o0, x, xOffset, i, dims);
        acc1.intoArray(lanes, 0);
        out[r + 1] = finish(lanes, rows, o1, x, xOffset, i, dims);
        acc2.intoArray(lanes, 0);
        out[r + 2] = finish(lanes, rows, o2, x, xOffset, i, dims);
        acc3.intoArray(lanes, 0);
        out[r + 3] = finish(lanes, rows, o3, x, xOffset, i, dims);
        acc4.intoArray(lanes, 0);
        out[r + 4] = finish(lanes, rows, o4, x, xOffset, i, dims);
        acc5.intoArray(lanes, 0);
        out[r + 5] = finish(lanes, rows, o5, x, xOffset, i, dims);
        acc6.intoArray(lanes, 0);
        out[r + 6] = finish(lanes, rows, o6, x, xOffset, i, dims);
        acc7.intoArray(lanes, 0);
        out[r + 7] = finish(lanes, rows, o7, x, xOffset, i, dims);
    }

    /** Rows {@code r .. r+3}: the product with x and each row's squared norm, from one widening of each row block. */
    private static void dotAndNormFourRows512(
        float[] rows,
        int r,
        int dims,
        float[] x,
        int xOffset,
        double[] out,
        double[] norms,
        double[] lanes
    ) {
        DoubleVector acc0 = DoubleVector.zero(D8), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        DoubleVector sq0 = acc0, sq1 = acc0, sq2 = acc0, sq3 = acc0;
        int o0 = r * dims, o1 = o0 + dims, o2 = o1 + dims, o3 = o2 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector xv = widen8(x, xOffset + i);
            DoubleVector v0 = widen8(rows, o0 + i);
            DoubleVector v1 = widen8(rows, o1 + i);
            DoubleVector v2 = widen8(rows, o2 + i);
            DoubleVector v3 = widen8(rows, o3 + i);
            acc0 = v0.fma(xv, acc0);
            sq0 = v0.fma(v0, sq0);
            acc1 = v1.fma(xv, acc1);
            sq1 = v1.fma(v1, sq1);
            acc2 = v2.fma(xv, acc2);
            sq2 = v2.fma(v2, sq2);
            acc3 = v3.fma(xv, acc3);
            sq3 = v3.fma(v3, sq3);
        }
        acc0.intoArray(lanes, 0);
        out[r] = finish(lanes, rows, o0, x, xOffset, i, dims);
        sq0.intoArray(lanes, 0);
        norms[r] = finish(lanes, rows, o0, rows, o0, i, dims);
        acc1.intoArray(lanes, 0);
        out[r + 1] = finish(lanes, rows, o1, x, xOffset, i, dims);
        sq1.intoArray(lanes, 0);
        norms[r + 1] = finish(lanes, rows, o1, rows, o1, i, dims);
        acc2.intoArray(lanes, 0);
        out[r + 2] = finish(lanes, rows, o2, x, xOffset, i, dims);
        sq2.intoArray(lanes, 0);
        norms[r + 2] = finish(lanes, rows, o2, rows, o2, i, dims);
        acc3.intoArray(lanes, 0);
        out[r + 3] = finish(lanes, rows, o3, x, xOffset, i, dims);
        sq3.intoArray(lanes, 0);
        norms[r + 3] = finish(lanes, rows, o3, rows, o3, i, dims);
    }

    /** Rows {@code r .. r+3} with two 256-bit half-accumulators each (lanes 0-3 and 4-7). */
    private static void dotFourRows256(float[] rows, int r, int dims, float[] x, int xOffset, double[] out, double[] lanes) {
        DoubleVector lo0 = DoubleVector.zero(D4), lo1 = lo0, lo2 = lo0, lo3 = lo0;
        DoubleVector hi0 = lo0, hi1 = lo0, hi2 = lo0, hi3 = lo0;
        int o0 = r * dims, o1 = o0 + dims, o2 = o1 + dims, o3 = o2 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector xlo = widen4(x, xOffset + i);
            DoubleVector xhi = widen4(x, xOffset + i + 4);
            lo0 = widen4(rows, o0 + i).fma(xlo, lo0);
            hi0 = widen4(rows, o0 + i + 4).fma(xhi, hi0);
            lo1 = widen4(rows, o1 + i).fma(xlo, lo1);
            hi1 = widen4(rows, o1 + i + 4).fma(xhi, hi1);
            lo2 = widen4(rows, o2 + i).fma(xlo, lo2);
            hi2 = widen4(rows, o2 + i + 4).fma(xhi, hi2);
            lo3 = widen4(rows, o3 + i).fma(xlo, lo3);
            hi3 = widen4(rows, o3 + i + 4).fma(xhi, hi3);
        }
        lo0.intoArray(lanes, 0);
        hi0.intoArray(lanes, 4);
        out[r] = finish(lanes, rows, o0, x, xOffset, i, dims);
        lo1.intoArray(lanes, 0);
        hi1.intoArray(lanes, 4);
        out[r + 1] = finish(lanes, rows, o1, x, xOffset, i, dims);
        lo2.intoArray(lanes, 0);
        hi2.intoArray(lanes, 4);
        out[r + 2] = finish(lanes, rows, o2, x, xOffset, i, dims);
        lo3.intoArray(lanes, 0);
        hi3.intoArray(lanes, 4);
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
