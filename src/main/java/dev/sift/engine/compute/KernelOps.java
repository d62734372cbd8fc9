package dev.sift.engine.compute;

/**
 * The inner products SIFT needs, over flat row-major {@code float} vectors, accumulated in {@code double}.
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
     * How many vectors {@link #dotRowRangeMany} multiplies with the rows in one read of them, at about the cost of
     * one product with {@link #dotRowRange}: more than 1 where reading and widening the rows, not the arithmetic,
     * limits a pass.
     */
    int productsPerPass();

    /** The largest {@link #productsPerPass} of the kernels here, for memory estimates. */
    int MAX_PRODUCTS_PER_PASS = 4;

    /**
     * {@code outs[c][r] = dot(rows, r*dims, x_c)} for {@code r} in {@code [from, to)} and {@code c} in
     * {@code [0, count)}, where {@code x_c} is {@code xs[c*dims, (c+1)*dims)}: float values widened to double. The
     * widening is exact, so each product follows the contract exactly as with the floats; several matrix-vector
     * products share one read of the rows.
     */
    void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs);

    /** Adds eight lane sums in the contract's fixed order. */
    static double sumLanes(double[] lanes) {
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }
}
