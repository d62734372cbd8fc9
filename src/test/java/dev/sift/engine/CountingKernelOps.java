package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;
import dev.sift.engine.kernels.ScalarKernelOps;

/** The scalar kernels, claiming {@code productsPerPass} products per pass and counting the rows they read. */
final class CountingKernelOps implements KernelOps {
    private final int productsPerPass;
    long rowsRead;

    CountingKernelOps(int productsPerPass) {
        this.productsPerPass = productsPerPass;
    }

    @Override
    public String name() {
        return "counting[" + productsPerPass + "]";
    }

    @Override
    public double dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return ScalarKernelOps.INSTANCE.dot(a, aOffset, b, bOffset, length);
    }

    @Override
    public void dotRows(float[] rows, int count, int dims, float[] x, int xOffset, double[] out) {
        rowsRead += count;
        ScalarKernelOps.INSTANCE.dotRows(rows, count, dims, x, xOffset, out);
    }

    @Override
    public void dotRowRange(float[] rows, int from, int to, int dims, float[] x, int xOffset, double[] out) {
        rowsRead += to - from;
        ScalarKernelOps.INSTANCE.dotRowRange(rows, from, to, dims, x, xOffset, out);
    }

    @Override
    public void dotRowsAndNorms(float[] rows, int count, int dims, float[] x, int xOffset, double[] out, double[] norms) {
        rowsRead += count;
        ScalarKernelOps.INSTANCE.dotRowsAndNorms(rows, count, dims, x, xOffset, out, norms);
    }

    @Override
    public int productsPerPass(int dims) {
        return productsPerPass;
    }

    @Override
    public void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs) {
        rowsRead += to - from;
        ScalarKernelOps.INSTANCE.dotRowRangeMany(rows, from, to, dims, xs, count, outs);
    }
}
