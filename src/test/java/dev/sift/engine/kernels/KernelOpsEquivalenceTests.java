package dev.sift.engine.kernels;

import dev.sift.engine.Cancellation;
import dev.sift.engine.MmrSelector;
import dev.sift.engine.NearestSelector;
import dev.sift.engine.Selection;
import dev.sift.engine.SelectionProblem;
import dev.sift.engine.SiftOptions;
import dev.sift.engine.SiftSelector;
import org.junit.Assume;
import org.junit.Test;

import java.util.Random;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

/**
 * The {@link KernelOps} summation contract: {@link ScalarKernelOps} follows an independent transcription of it
 * bit for bit, and the Vector API implementation, in both its 512-bit and 256-bit forms, equals the scalar one bit
 * for bit, for single products, matrix-vector products and whole selections. The Vector API half is skipped
 * (not failed) when the JVM runs without {@code --add-modules jdk.incubator.vector}.
 */
public class KernelOpsEquivalenceTests {

    private static final int[] LONG_LENGTHS = { 384, 768, 1536 };

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API implementation, built reflectively so this class loads on JVMs without the module. */
    private static KernelOps panama(boolean wide) {
        Assume.assumeTrue("jdk.incubator.vector is not in the boot layer (run with --add-modules jdk.incubator.vector)", vectorModulePresent());
        try {
            return (KernelOps) Class.forName("dev.sift.engine.kernels.panama.PanamaKernelOps")
                .getMethod("of", boolean.class)
                .invoke(null, wide);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Values over ~12 binary orders of magnitude and both signs, so that any change of summation order shows. */
    private static float[] values(Random random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(24) - 12));
        }
        return v;
    }

    /** The contract, transcribed from the KernelOps Javadoc: lane i mod 8, tail to lanes 0, 1, …, fixed tree. */
    private static double contractDot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        double[] lanes = new double[8];
        int blocked = length - length % 8;
        for (int i = 0; i < blocked; i++) {
            lanes[i % 8] += (double) a[aOffset + i] * (double) b[bOffset + i];
        }
        for (int i = blocked; i < length; i++) {
            lanes[i - blocked] += (double) a[aOffset + i] * (double) b[bOffset + i];
        }
        return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    }

    private static int[] lengths() {
        int[] out = new int[71 + LONG_LENGTHS.length];
        for (int i = 0; i <= 70; i++) {
            out[i] = i;
        }
        System.arraycopy(LONG_LENGTHS, 0, out, 71, LONG_LENGTHS.length);
        return out;
    }

    private static void assertBitsEqual(String message, double expected, double actual) {
        assertEquals(message + ": " + expected + " vs " + actual, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(actual));
    }

    @Test
    public void testScalarFollowsTheContract() {
        Random random = new Random(1);
        int orderSensitive = 0;
        for (int length : lengths()) {
            for (int trial = 0; trial < 5; trial++) {
                int aOffset = random.nextInt(9), bOffset = random.nextInt(9);
                float[] a = values(random, aOffset + length + random.nextInt(3));
                float[] b = values(random, bOffset + length + random.nextInt(3));
                double expected = contractDot(a, aOffset, b, bOffset, length);
                assertBitsEqual("length " + length, expected, ScalarKernelOps.INSTANCE.dot(a, aOffset, b, bOffset, length));
                double sequential = 0;
                for (int i = 0; i < length; i++) {
                    sequential += (double) a[aOffset + i] * b[bOffset + i];
                }
                if (Double.doubleToRawLongBits(sequential) != Double.doubleToRawLongBits(expected)) {
                    orderSensitive++;
                }
            }
        }
        // The data is such that a different order (plain sequential) usually gives other bits: the checks bite.
        assertTrue("only " + orderSensitive + " order-sensitive cases", orderSensitive > 100);
    }

    @Test
    public void testProductsPerPassWithinTheMemoryEstimate() {
        checkProductsPerPass(ScalarKernelOps.INSTANCE);
        checkProductsPerPass(panama(true));
        checkProductsPerPass(panama(false));
    }

    private static void checkProductsPerPass(KernelOps ops) {
        for (int dims : new int[] { 1, 7, 8, 100, 384, 768, 1536 }) {
            int products = ops.productsPerPass(dims);
            assertTrue(ops.name() + " dims " + dims + ": " + products, products >= 1 && products <= KernelOps.MAX_PRODUCTS_PER_PASS);
        }
    }

    @Test
    public void testPanamaWideDotIsBitIdentical() {
        checkDot(panama(true));
    }

    @Test
    public void testPanamaNarrowDotIsBitIdentical() {
        checkDot(panama(false));
    }

    private static void checkDot(KernelOps ops) {
        Random random = new Random(2);
        for (int length : lengths()) {
            for (int trial = 0; trial < 5; trial++) {
                int aOffset = random.nextInt(17), bOffset = random.nextInt(17);
                float[] a = values(random, aOffset + length + random.nextInt(3));
                float[] b = values(random, bOffset + length + random.nextInt(3));
                assertBitsEqual(
                    ops.name() + " length " + length + " offsets " + aOffset + "," + bOffset,
                    ScalarKernelOps.INSTANCE.dot(a, aOffset, b, bOffset, length),
                    ops.dot(a, aOffset, b, bOffset, length)
                );
            }
        }
    }

    @Test
    public void testPanamaWideDotRowsIsBitIdentical() {
        checkDotRows(panama(true));
    }

    @Test
    public void testPanamaNarrowDotRowsIsBitIdentical() {
        checkDotRows(panama(false));
    }

    private static void checkDotRows(KernelOps ops) {
        Random random = new Random(3);
        int[] counts = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 33 };
        for (int dims : lengths()) {
            if (dims == 0) {
                continue;
            }
            for (int count : dims > 100 ? new int[] { 0, 1, 3, 4, 5, 9 } : counts) {
                float[] rows = values(random, count * dims);
                int xOffset = random.nextInt(3) * dims + random.nextInt(5);
                float[] x = values(random, xOffset + dims + random.nextInt(3));
                double[] expected = new double[count + 2];
                double[] actual = new double[count + 2];
                expected[count] = actual[count] = 42; // untouched past count
                expected[count + 1] = actual[count + 1] = -1;
                ScalarKernelOps.INSTANCE.dotRows(rows, count, dims, x, xOffset, expected);
                ops.dotRows(rows, count, dims, x, xOffset, actual);
                for (int r = 0; r < count + 2; r++) {
                    assertBitsEqual(ops.name() + " dims " + dims + " count " + count + " row " + r, expected[r], actual[r]);
                }
                // dotRows is row by row dot: also against the contract transcription.
                for (int r = 0; r < count; r++) {
                    assertBitsEqual("contract row " + r, contractDot(rows, r * dims, x, xOffset, dims), actual[r]);
                }
            }
        }
    }

    @Test
    public void testScalarDotRowRange() {
        checkDotRowRange(ScalarKernelOps.INSTANCE);
    }

    @Test
    public void testPanamaWideDotRowRangeIsBitIdentical() {
        checkDotRowRange(panama(true));
    }

    @Test
    public void testPanamaNarrowDotRowRangeIsBitIdentical() {
        checkDotRowRange(panama(false));
    }

    /** Slices starting and ending anywhere (inside blocks of 4 and 8 rows); rows outside the slice are not written. */
    private static void checkDotRowRange(KernelOps ops) {
        Random random = new Random(5);
        for (int dims : new int[] { 1, 7, 8, 9, 16, 31, 64, 100, 384, 768 }) {
            int count = 40;
            float[] rows = values(random, count * dims);
            float[] x = values(random, dims + 3);
            int xOffset = random.nextInt(4);
            for (int trial = 0; trial < 30; trial++) {
                int from = random.nextInt(count + 1);
                int to = from + random.nextInt(count - from + 1);
                double[] out = new double[count];
                java.util.Arrays.fill(out, -7.0);
                ops.dotRowRange(rows, from, to, dims, x, xOffset, out);
                for (int r = 0; r < count; r++) {
                    double expected = r >= from && r < to ? contractDot(rows, r * dims, x, xOffset, dims) : -7.0;
                    assertBitsEqual(ops.name() + " dims " + dims + " [" + from + ", " + to + ") row " + r, expected, out[r]);
                }
            }
        }
    }

    @Test
    public void testScalarDotRowRangeMany() {
        checkDotRowRangeMany(ScalarKernelOps.INSTANCE);
    }

    @Test
    public void testPanamaWideDotRowRangeManyIsBitIdentical() {
        checkDotRowRangeMany(panama(true));
    }

    @Test
    public void testPanamaNarrowDotRowRangeManyIsBitIdentical() {
        checkDotRowRangeMany(panama(false));
    }

    /**
     * Several widened vectors at once (1 to 13, across the kernels' blocks of 4 and 5), over slices starting and ending
     * anywhere (150 rows: the 512-bit kernels' groups of 64 rows with their blocks' rows 16 apart, blocks of four
     * adjacent rows and single rows): each product equals the contract on the floats; rows outside the slice are not
     * written.
     */
    private static void checkDotRowRangeMany(KernelOps ops) {
        Random random = new Random(8);
        for (int dims : new int[] { 1, 7, 8, 9, 16, 31, 100, 384, 768 }) {
            int count = 150;
            float[] rows = values(random, count * dims);
            for (int vectors = 1; vectors <= 13; vectors++) {
                float[] x = values(random, vectors * dims);
                double[] widened = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    widened[i] = x[i];
                }
                for (int trial = 0; trial < 6; trial++) {
                    int from = trial == 0 ? 0 : random.nextInt(count + 1);
                    int to = trial == 0 ? count : from + random.nextInt(count - from + 1);
                    double[][] outs = new double[vectors][count];
                    for (double[] out : outs) {
                        java.util.Arrays.fill(out, -7.0);
                    }
                    ops.dotRowRangeMany(rows, from, to, dims, widened, vectors, outs);
                    for (int c = 0; c < vectors; c++) {
                        for (int r = 0; r < count; r++) {
                            double expected = r >= from && r < to ? contractDot(rows, r * dims, x, c * dims, dims) : -7.0;
                            String where = ops.name() + " dims " + dims + " vectors " + vectors + " [" + from + ", " + to + ")";
                            assertBitsEqual(where + " vector " + c + " row " + r, expected, outs[c][r]);
                        }
                    }
                }
            }
        }
    }

    @Test
    public void testScalarSubtractColumns() {
        checkSubtractColumns(ScalarKernelOps.INSTANCE);
    }

    @Test
    public void testPanamaWideSubtractColumnsIsBitIdentical() {
        checkSubtractColumns(panama(true));
    }

    @Test
    public void testPanamaNarrowSubtractColumnsIsBitIdentical() {
        checkSubtractColumns(panama(false));
    }

    /**
     * One to nine outputs, lengths with and without a tail (and across the Vector API's slices of 512), any range of
     * earlier columns: every element equals its terms subtracted one by one in order, each a rounded product.
     */
    private static void checkSubtractColumns(KernelOps ops) {
        Random random = new Random(9);
        for (int length : new int[] { 1, 7, 8, 9, 100, 512, 513, 1030 }) {
            int earlierCount = 11;
            double[][] columns = new double[earlierCount][length];
            for (double[] column : columns) {
                for (int i = 0; i < length; i++) {
                    column[i] = random.nextGaussian() * Math.scalb(1.0, random.nextInt(24) - 12);
                }
            }
            for (int count = 1; count <= 9; count++) {
                for (int trial = 0; trial < 4; trial++) {
                    int from = random.nextInt(earlierCount + 1);
                    int to = from + random.nextInt(earlierCount - from + 1);
                    int[] of = new int[count];
                    double[][] outs = new double[count][length];
                    double[][] expected = new double[count][length];
                    for (int c = 0; c < count; c++) {
                        of[c] = random.nextInt(length);
                        for (int i = 0; i < length; i++) {
                            outs[c][i] = expected[c][i] = random.nextGaussian();
                            for (int s = from; s < to; s++) {
                                double product = columns[s][i] * columns[s][of[c]];
                                expected[c][i] = expected[c][i] - product;
                            }
                        }
                    }
                    ops.subtractColumns(columns, from, to, of, outs, count, length);
                    for (int c = 0; c < count; c++) {
                        for (int i = 0; i < length; i++) {
                            String where = ops.name() + " length " + length + " outputs " + count + " [" + from + ", " + to + ")";
                            assertBitsEqual(where + " output " + c + " element " + i, expected[c][i], outs[c][i]);
                        }
                    }
                }
            }
        }
    }

    @Test
    public void testScalarArgmax() {
        checkArgmax(ScalarKernelOps.INSTANCE);
    }

    @Test
    public void testPanamaWideArgmaxIsIdentical() {
        checkArgmax(panama(true));
    }

    @Test
    public void testPanamaNarrowArgmaxIsIdentical() {
        checkArgmax(panama(false));
    }

    /**
     * Many ties (values from a small set, zeros of both signs), exclusions, NaN and negative infinity, all excluded:
     * always the first index of the largest value not excluded, or -1.
     */
    private static void checkArgmax(KernelOps ops) {
        Random random = new Random(11);
        double[] pool = { 0.0, -0.0, 1.0, 2.5, 2.5, 3.0, Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, 1e-300 };
        for (int length = 0; length <= 70; length++) {
            for (int trial = 0; trial < 40; trial++) {
                double[] values = new double[length];
                boolean[] excluded = new boolean[length];
                int kinds = 1 + random.nextInt(pool.length);
                double excludedShare = random.nextInt(4) == 0 ? 1.0 : random.nextDouble();
                for (int i = 0; i < length; i++) {
                    values[i] = random.nextInt(3) == 0 ? random.nextDouble() : pool[random.nextInt(kinds)];
                    excluded[i] = random.nextDouble() < excludedShare;
                }
                int expected = -1;
                for (int i = 0; i < length; i++) {
                    if (excluded[i] == false && (expected < 0 ? values[i] > Double.NEGATIVE_INFINITY : values[i] > values[expected])) {
                        expected = i;
                    }
                }
                assertEquals(ops.name() + " length " + length + " trial " + trial, expected, ops.argmax(values, excluded, length));
            }
        }
        // A long array whose maximum is tied in several lanes and sits past the first vectors.
        double[] values = new double[1003];
        boolean[] excluded = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 7;
        }
        excluded[6] = excluded[13] = true;
        assertEquals(ops.name(), 20, ops.argmax(values, excluded, values.length));
        assertEquals(ops.name(), 6, ops.argmax(values, new boolean[values.length], values.length));
    }

    @Test
    public void testScalarDotRowsAndNorms() {
        checkDotRowsAndNorms(ScalarKernelOps.INSTANCE);
    }

    @Test
    public void testPanamaWideDotRowsAndNormsIsBitIdentical() {
        checkDotRowsAndNorms(panama(true));
    }

    @Test
    public void testPanamaNarrowDotRowsAndNormsIsBitIdentical() {
        checkDotRowsAndNorms(panama(false));
    }

    private static void checkDotRowsAndNorms(KernelOps ops) {
        Random random = new Random(6);
        for (int dims : new int[] { 1, 5, 8, 13, 64, 100, 384, 768, 1536 }) {
            // Groups of 64 rows (blocks of eight rows 8 apart), blocks of eight adjacent rows and of four, and single
            // rows, in every combination.
            for (int count : new int[] { 0, 1, 3, 4, 5, 8, 11, 12, 13, 16, 17, 20, 23, 64, 75, 140 }) {
                float[] rows = values(random, count * dims);
                int xOffset = random.nextInt(5);
                float[] x = values(random, xOffset + dims);
                double[] out = new double[count + 1];
                double[] norms = new double[count + 1];
                out[count] = norms[count] = 42;
                ops.dotRowsAndNorms(rows, count, dims, x, xOffset, out, norms);
                for (int r = 0; r < count; r++) {
                    String where = ops.name() + " dims " + dims + " count " + count + " row " + r;
                    assertBitsEqual(where + " product", contractDot(rows, r * dims, x, xOffset, dims), out[r]);
                    assertBitsEqual(where + " norm", contractDot(rows, r * dims, rows, r * dims, dims), norms[r]);
                }
                assertBitsEqual("untouched", 42, out[count]);
                assertBitsEqual("untouched", 42, norms[count]);
            }
        }
    }

    /** Whole selections, on every implementation: identical picks and bit-identical trajectories. */
    @Test
    public void testSelectionsAreIdentical() {
        KernelOps[] panamas = { panama(true), panama(false) };
        Random random = new Random(4);
        int[][] shapes = { { 50, 3 }, { 120, 17 }, { 200, 64 }, { 64, 100 }, { 300, 384 }, { 40, 768 }, { 30, 1536 } };
        for (int[] shape : shapes) {
            int count = shape[0], dims = shape[1];
            float[] c = values(random, count * dims);
            float[] t = values(random, 2 * dims);
            SelectionProblem problem = new SelectionProblem(c, t, dims);
            SiftOptions options = SiftOptions.builder(Math.min(count, 25)).build();
            Selection scalarSift = new SiftSelector(ScalarKernelOps.INSTANCE).select(problem, options);
            Selection scalarMmr = new MmrSelector(ScalarKernelOps.INSTANCE).select(problem, 20, 0.7, 0.01, Cancellation.NONE);
            Selection scalarNearest = new NearestSelector(ScalarKernelOps.INSTANCE).select(problem, 20, 0.01, Cancellation.NONE);
            for (KernelOps ops : panamas) {
                String where = ops.name() + " " + count + "x" + dims;
                assertSame(where + " sift", scalarSift, new SiftSelector(ops).select(problem, options));
                assertSame(where + " mmr", scalarMmr, new MmrSelector(ops).select(problem, 20, 0.7, 0.01, Cancellation.NONE));
                assertSame(where + " nearest", scalarNearest, new NearestSelector(ops).select(problem, 20, 0.01, Cancellation.NONE));
            }
        }
    }

    private static void assertSame(String where, Selection expected, Selection actual) {
        assertArrayEquals(where, expected.picks(), actual.picks());
        assertBitsEqual(where + " prior", expected.priorVariance(), actual.priorVariance());
        for (int n = 0; n < expected.steps(); n++) {
            assertBitsEqual(where + " V step " + n, expected.variance(n), actual.variance(n));
            assertBitsEqual(where + " gain step " + n, expected.gain(n), actual.gain(n));
        }
    }
}
