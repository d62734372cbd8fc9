package dev.sift.engine.kernels;

/** Plain Java loops following the {@link KernelOps} summation contract; the fallback on every JVM. */
public final class ScalarKernelOps implements KernelOps {

    public static final ScalarKernelOps INSTANCE = new ScalarKernelOps();

    private ScalarKernelOps() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public double dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        double l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            int ai = aOffset + i, bi = bOffset + i;
            l0 += (double) a[ai] * b[bi];
            l1 += (double) a[ai + 1] * b[bi + 1];
            l2 += (double) a[ai + 2] * b[bi + 2];
            l3 += (double) a[ai + 3] * b[bi + 3];
            l4 += (double) a[ai + 4] * b[bi + 4];
            l5 += (double) a[ai + 5] * b[bi + 5];
            l6 += (double) a[ai + 6] * b[bi + 6];
            l7 += (double) a[ai + 7] * b[bi + 7];
        }
        double[] lanes = { l0, l1, l2, l3, l4, l5, l6, l7 };
        for (int lane = 0; i < length; i++, lane++) {
            lanes[lane] += (double) a[aOffset + i] * b[bOffset + i];
        }
        return KernelOps.sumLanes(lanes);
    }

    /** {@link #dot} with {@code b} given as floats widened to double. */
    static double dot(float[] a, int aOffset, double[] b, int bOffset, int length) {
        double l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            int ai = aOffset + i, bi = bOffset + i;
            l0 += a[ai] * b[bi];
            l1 += a[ai + 1] * b[bi + 1];
            l2 += a[ai + 2] * b[bi + 2];
            l3 += a[ai + 3] * b[bi + 3];
            l4 += a[ai + 4] * b[bi + 4];
            l5 += a[ai + 5] * b[bi + 5];
            l6 += a[ai + 6] * b[bi + 6];
            l7 += a[ai + 7] * b[bi + 7];
        }
        double[] lanes = { l0, l1, l2, l3, l4, l5, l6, l7 };
        for (int lane = 0; i < length; i++, lane++) {
            lanes[lane] += a[aOffset + i] * b[bOffset + i];
        }
        return KernelOps.sumLanes(lanes);
    }

    /** The scalar loops are limited by their arithmetic: a second product per pass costs as much as a second pass. */
    @Override
    public int productsPerPass(int dims) {
        return 1;
    }

    @Override
    public void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs) {
        for (int r = from; r < to; r++) {
            for (int c = 0; c < count; c++) {
                outs[c][r] = dot(rows, r * dims, xs, c * dims, dims);
            }
        }
    }

    @Override
    public void dotRows(float[] rows, int count, int dims, float[] x, int xOffset, double[] out) {
        for (int r = 0; r < count; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }
}
