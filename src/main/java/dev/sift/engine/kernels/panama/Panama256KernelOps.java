package dev.sift.engine.kernels.panama;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API kernels with 256-bit double vectors (AVX2-class hardware): the contract's eight lanes in two
 * half-accumulators, lanes 0-3 and 4-7.
 */
final class Panama256KernelOps extends PanamaKernelOps {

    private static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> D4 = DoubleVector.SPECIES_256;

    /** Rows per block of the 256-bit product: 8 half-accumulators plus x's halves use 10 of 16 registers. */
    private static final int NARROW_BLOCK_ROWS = 4;

    /** Vectors per block of {@link #dotRowRangeMany}: 1 row by 4; 8 half-accumulators and a row's two halves use 10 of 16 registers. */
    private static final int NARROW_MANY_VECTORS = 4;

    @Override
    public String name() {
        return "panama[256]";
    }

    @Override
    public double dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return dot256(a, aOffset, b, bOffset, length);
    }

    @Override
    public void dotRowRange(float[] rows, int from, int to, int dims, float[] x, int xOffset, double[] out) {
        int r = from;
        double[] lanes = new double[LANES];
        for (; r + NARROW_BLOCK_ROWS <= to; r += NARROW_BLOCK_ROWS) {
            dotFourRows256(rows, r, dims, x, xOffset, out, lanes);
        }
        for (; r < to; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }

    @Override
    public int productsPerPass(int dims) {
        return NARROW_MANY_VECTORS;
    }

    @Override
    public void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs) {
        double[] lanes = new double[3 * LANES];
        // Rows outermost: a block of rows is read from afar once and stays in L1 for every block of vectors.
        int r = from;
        int blocked;
        blocked = count - count % NARROW_MANY_VECTORS;
        for (; r < to; r++) {
            for (int c = 0; c < blocked; c += NARROW_MANY_VECTORS) {
                dotRowFourVectors256(rows, r, dims, xs, c, outs, lanes);
            }
        }
        for (; r < to; r++) {
            for (int c = 0; c < blocked; c++) {
                outs[c][r] = dotWidened256(rows, r * dims, xs, c * dims, dims);
            }
        }
        for (int c = blocked; c < count; c++) {
            for (r = from; r < to; r++) {
                outs[c][r] = dotWidened256(rows, r * dims, xs, c * dims, dims);
            }
        }
    }

    /** Row {@code r} times widened vectors {@code c .. c+3}, with two 256-bit half-accumulators per vector. */
    private static void dotRowFourVectors256(float[] rows, int r, int dims, double[] xs, int c, double[][] outs, double[] lanes) {
        DoubleVector lo0 = DoubleVector.zero(D4), lo1 = lo0, lo2 = lo0, lo3 = lo0;
        DoubleVector hi0 = lo0, hi1 = lo0, hi2 = lo0, hi3 = lo0;
        int o = r * dims;
        int x0 = c * dims, x1 = x0 + dims, x2 = x1 + dims, x3 = x2 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector lo = widen4(rows, o + i);
            DoubleVector hi = widen4(rows, o + i + 4);
            lo0 = lo.fma(DoubleVector.fromArray(D4, xs, x0 + i), lo0);
            hi0 = hi.fma(DoubleVector.fromArray(D4, xs, x0 + i + 4), hi0);
            lo1 = lo.fma(DoubleVector.fromArray(D4, xs, x1 + i), lo1);
            hi1 = hi.fma(DoubleVector.fromArray(D4, xs, x1 + i + 4), hi1);
            lo2 = lo.fma(DoubleVector.fromArray(D4, xs, x2 + i), lo2);
            hi2 = hi.fma(DoubleVector.fromArray(D4, xs, x2 + i + 4), hi2);
            lo3 = lo.fma(DoubleVector.fromArray(D4, xs, x3 + i), lo3);
            hi3 = hi.fma(DoubleVector.fromArray(D4, xs, x3 + i + 4), hi3);
        }
        lo0.intoArray(lanes, 0);
        hi0.intoArray(lanes, 4);
        outs[c][r] = finishWidened(lanes, rows, o, xs, x0, i, dims);
        lo1.intoArray(lanes, 0);
        hi1.intoArray(lanes, 4);
        outs[c + 1][r] = finishWidened(lanes, rows, o, xs, x1, i, dims);
        lo2.intoArray(lanes, 0);
        hi2.intoArray(lanes, 4);
        outs[c + 2][r] = finishWidened(lanes, rows, o, xs, x2, i, dims);
        lo3.intoArray(lanes, 0);
        hi3.intoArray(lanes, 4);
        outs[c + 3][r] = finishWidened(lanes, rows, o, xs, x3, i, dims);
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

    private static double dotWidened256(float[] a, int aOffset, double[] b, int bOffset, int length) {
        DoubleVector lo = DoubleVector.zero(D4);
        DoubleVector hi = DoubleVector.zero(D4);
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            lo = widen4(a, aOffset + i).fma(DoubleVector.fromArray(D4, b, bOffset + i), lo);
            hi = widen4(a, aOffset + i + 4).fma(DoubleVector.fromArray(D4, b, bOffset + i + 4), hi);
        }
        double[] lanes = new double[LANES];
        lo.intoArray(lanes, 0);
        hi.intoArray(lanes, 4);
        return finishWidened(lanes, a, aOffset, b, bOffset, i, length);
    }

    private static DoubleVector widen4(float[] a, int offset) {
        return (DoubleVector) FloatVector.fromArray(F4, a, offset).convertShape(VectorOperators.F2D, D4, 0);
    }
}
