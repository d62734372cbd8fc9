package dev.sift.engine.kernels;

/**
 * The inner products SIFT needs, over flat row-major {@code float} vectors, accumulated in {@code double}, and the
 * subtraction of earlier posterior columns ({@link #subtractColumns}).
 *
 * <p>Every implementation must return bit-identical results, so that a selection never depends on the
 * machine it ran on. The summation order is therefore part of the contract: element {@code i} of a
 * product goes to lane {@code i mod 8} (the elements past the last full block of 8 go to lanes 0, 1, …),
 * each lane accumulates in increasing {@code i}, and the lanes are added as
 * {@code ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7))}. The product of two floats is exact in double, so a fused
 * multiply-add and a separate multiply and add give the same lane sums.
 */
public interface KernelOps {

    /** Lanes of the summation contract. */
    int LANES = 8;

    /** A short name for logs and stats, e.g. {@code scalar} or {@code panama[512]}. */
    String name();

    /** Inner product of {@code a[aOffset, aOffset+length)} and {@code b[bOffset, bOffset+length)}. */
    double dot(float[] a, int aOffset, float[] b, int bOffset, int length);

    /**
     * {@code out[r] = dot(rows, r*dims, x, xOffset, dims)} for {@code r} in {@code [0, count)}: one matrix-vector
     * product, the hot loop of a selection.
     */
    void dotRows(float[] rows, int count, int dims, float[] x, int xOffset, double[] out);

    /**
     * {@code out[r] = dot(rows, r*dims, x, xOffset, dims)} for {@code r} in {@code [from, to)}: the same product
     * over a slice of the rows, so a caller can choose the order in which the rows are read (see
     * {@code PosteriorState}); {@code out} is indexed by row, like {@link #dotRows}.
     */
    default void dotRowRange(float[] rows, int from, int to, int dims, float[] x, int xOffset, double[] out) {
        for (int r = from; r < to; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }

    /**
     * {@code out[r] = dot(rows, r*dims, x, xOffset, dims)} and {@code norms[r] = dot(rows, r*dims, rows, r*dims, dims)}
     * for {@code r} in {@code [0, count)}: the first pass of a selection, which needs both, in one read of the rows.
     */
    default void dotRowsAndNorms(float[] rows, int count, int dims, float[] x, int xOffset, double[] out, double[] norms) {
        for (int r = 0; r < count; r++) {
            norms[r] = dot(rows, r * dims, rows, r * dims, dims);
        }
        dotRows(rows, count, dims, x, xOffset, out);
    }

    /**
     * How many vectors {@link #dotRowRangeMany} multiplies with rows of {@code dims} elements in one read of them, at
     * about the cost of one product with {@link #dotRowRange}: more than 1 where reading and widening the rows, not
     * the arithmetic, limits a pass.
     */
    int productsPerPass(int dims);

    /** The largest {@link #productsPerPass} of the kernels here, for memory estimates. */
    int MAX_PRODUCTS_PER_PASS = 5;

    /**
     * {@code outs[c][r] = dot(rows, r*dims, x_c)} for {@code r} in {@code [from, to)} and {@code c} in
     * {@code [0, count)}, where {@code x_c} is {@code xs[c*dims, (c+1)*dims)}: float values widened to double. The
     * widening is exact, so each product follows the contract exactly as with the floats; several matrix-vector
     * products share one read of the rows.
     */
    void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs);

    /**
     * {@code outs[c][i] -= Σ_s columns[s][i] · columns[s][of[c]]} for {@code s} in {@code [from, to)}, {@code c} in
     * {@code [0, count)} and {@code i} in {@code [0, length)}: the earlier observations' terms of new posterior columns
     * (the N²·K part of a selection). Each element takes its terms one by one in increasing {@code s}, each a product
     * rounded to double and then a subtraction, never a fused multiply-add, so every implementation gives the same
     * bits. The columns {@code outs} must not be among {@code columns}.
     */
    default void subtractColumns(double[][] columns, int from, int to, int[] of, double[][] outs, int count, int length) {
        subtractColumnsRange(columns, from, to, of, outs, count, 0, length);
    }

    /**
     * {@link #subtractColumns} for the elements {@code [fromIndex, toIndex)}: outputs in groups of four, each sweep
     * taking two earlier columns and the group's four outputs, so the earlier columns (beyond L2 for large windows
     * and selections) are read once per four outputs; the outputs past the last group one by one, four earlier
     * columns per sweep.
     */
    static void subtractColumnsRange(double[][] columns, int from, int to, int[] of, double[][] outs, int count, int fromIndex, int toIndex) {
        int c = 0;
        for (; c + 4 <= count; c += 4) {
            double[] o0 = outs[c], o1 = outs[c + 1], o2 = outs[c + 2], o3 = outs[c + 3];
            int x0 = of[c], x1 = of[c + 1], x2 = of[c + 2], x3 = of[c + 3];
            int s = from;
            for (; s + 2 <= to; s += 2) {
                double[] e0 = columns[s], e1 = columns[s + 1];
                double w00 = e0[x0], w01 = e1[x0], w10 = e0[x1], w11 = e1[x1];
                double w20 = e0[x2], w21 = e1[x2], w30 = e0[x3], w31 = e1[x3];
                for (int i = fromIndex; i < toIndex; i++) {
                    double a = e0[i], b = e1[i];
                    o0[i] = o0[i] - a * w00 - b * w01;
                    o1[i] = o1[i] - a * w10 - b * w11;
                    o2[i] = o2[i] - a * w20 - b * w21;
                    o3[i] = o3[i] - a * w30 - b * w31;
                }
            }
            for (; s < to; s++) {
                double[] e = columns[s];
                double w0 = e[x0], w1 = e[x1], w2 = e[x2], w3 = e[x3];
                for (int i = fromIndex; i < toIndex; i++) {
                    double a = e[i];
                    o0[i] -= a * w0;
                    o1[i] -= a * w1;
                    o2[i] -= a * w2;
                    o3[i] -= a * w3;
                }
            }
        }
        for (; c < count; c++) {
            double[] out = outs[c];
            int x = of[c];
            int s = from;
            // Four earlier columns per sweep over the output.
            for (; s + 4 <= to; s += 4) {
                double[] e0 = columns[s], e1 = columns[s + 1], e2 = columns[s + 2], e3 = columns[s + 3];
                double w0 = e0[x], w1 = e1[x], w2 = e2[x], w3 = e3[x];
                for (int i = fromIndex; i < toIndex; i++) {
                    double v = out[i];
                    v -= e0[i] * w0;
                    v -= e1[i] * w1;
                    v -= e2[i] * w2;
                    v -= e3[i] * w3;
                    out[i] = v;
                }
            }
            for (; s < to; s++) {
                double[] earlier = columns[s];
                double weight = earlier[x];
                for (int i = fromIndex; i < toIndex; i++) {
                    out[i] -= earlier[i] * weight;
                }
            }
        }
    }

    /**
     * The first index in {@code [0, length)} of the largest of {@code values} whose {@code excluded} entry is false, or
     * -1 if none is larger than negative infinity: ties go to the earlier index, and NaN never wins.
     */
    default int argmax(double[] values, boolean[] excluded, int length) {
        return argmaxFrom(values, excluded, 0, length, -1);
    }

    /**
     * {@link #argmax} continued from index {@code from}, with {@code best} the answer for the indices before it (or
     * -1): the scalar loop of every implementation.
     */
    static int argmaxFrom(double[] values, boolean[] excluded, int from, int length, int best) {
        double bestValue = best < 0 ? Double.NEGATIVE_INFINITY : values[best];
        for (int i = from; i < length; i++) {
            if (excluded[i] == false && values[i] > bestValue) {
                bestValue = values[i];
                best = i;
            }
        }
        return best;
    }

    /** Adds eight lane sums in the contract's fixed order. */
    static double sumLanes(double[] lanes) {
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
