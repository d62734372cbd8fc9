package dev.sift.engine.kernels.panama;

import dev.sift.engine.kernels.KernelOps;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** The Vector API kernels with 512-bit double vectors: the contract's eight lanes in one register. */
final class Panama512KernelOps extends PanamaKernelOps {

    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Double> D8 = DoubleVector.SPECIES_512;

    /** Rows per block of the 512-bit matrix-vector product: 8 accumulators plus x and a row use 10 of 32 registers. */
    private static final int WIDE_BLOCK_ROWS = 8;

    /**
     * Vectors per block of {@link #dotRowRangeMany}. The 512-bit blocks are 4 rows by 5 vectors (20 accumulators, 5
     * vector blocks and a row block use 26 of 32 registers; each widened row block serves 5 multiply-adds) and, for
     * a count of vectors that fives do not fill, 4 rows by 4 vectors. The 256-bit block is 1 row by 4 vectors: 8
     * half-accumulators and a row's two halves use 10 of 16 registers.
     */
    private static final int WIDE_MANY_VECTORS = 5;
    private static final int NARROW_MANY_VECTORS = 4;

    /**
     * The 512-bit row blocks of {@link #dotRowRangeMany} (four rows) and {@link #dotRowsAndNorms} (eight) take their
     * rows spread evenly over groups of this many rows (the backwards passes' slices): rows 16 apart, or 8, so that a
     * block reads streams far apart rather than one short run. With the rows in L3 or memory a 5-product pass then
     * runs 7 % faster at d = 384 and 10-17 % at d = 768, the first pass 6-8 % faster; no slower at d = 1536 or with
     * the rows in L2. Each row's products do not depend on which rows share its block.
     */
    private static final int SPREAD_GROUP_ROWS = 64;

    /** Candidates per slice of {@link #subtractColumns}: five outputs of 512 doubles are 20 kB, within L1. */
    private static final int SUBTRACT_SLICE = 512;

    /** Swap neighbouring lanes, pairs of lanes, halves: the three levels of the contract's summation tree. */
    private static final VectorShuffle<Double> SWAP_LANES = VectorShuffle.fromValues(D8, 1, 0, 3, 2, 5, 4, 7, 6);
    private static final VectorShuffle<Double> SWAP_PAIRS = VectorShuffle.fromValues(D8, 2, 3, 0, 1, 6, 7, 4, 5);
    private static final VectorShuffle<Double> SWAP_HALVES = VectorShuffle.fromValues(D8, 4, 5, 6, 7, 0, 1, 2, 3);
    private static final VectorMask<Double> ODD_LANES = VectorMask.fromValues(D8, false, true, false, true, false, true, false, true);
    private static final VectorMask<Double> ODD_PAIRS = VectorMask.fromValues(D8, false, false, true, true, false, false, true, true);
    private static final VectorMask<Double> UPPER_HALF = VectorMask.fromValues(D8, false, false, false, false, true, true, true, true);

    @Override
    public String name() {
        return "panama[512]";
    }

    @Override
    public double dot(float[] a, int aOffset, float[] b, int bOffset, int length) {
        return dot512(a, aOffset, b, bOffset, length);
    }

    @Override
    public void dotRowRange(float[] rows, int from, int to, int dims, float[] x, int xOffset, double[] out) {
        int r = from;
        double[] lanes = new double[LANES];
        for (; r + WIDE_BLOCK_ROWS <= to; r += WIDE_BLOCK_ROWS) {
            dotEightRows512(rows, r, dims, x, xOffset, out, lanes);
        }
        for (; r < to; r++) {
            out[r] = dot(rows, r * dims, x, xOffset, dims);
        }
    }

    @Override
    public void dotRowsAndNorms(float[] rows, int count, int dims, float[] x, int xOffset, double[] out, double[] norms) {
        double[] lanes = new double[2 * LANES];
        int r = 0;
        if (dims % LANES == 0) {
            double[] widenedX = new double[dims];
            for (int i = 0; i < dims; i++) {
                widenedX[i] = x[xOffset + i];
            }
            while (r + 8 <= count) {
                int spacing = r + SPREAD_GROUP_ROWS <= count ? SPREAD_GROUP_ROWS / 8 : 1;
                for (int first = r; first < r + spacing; first++) {
                    dotAndNormEightRows512(rows, first, spacing, dims, widenedX, out, norms, lanes);
                }
                r += 8 * spacing;
            }
        }
        for (; r + 4 <= count; r += 4) {
            dotAndNormFourRows512(rows, r, dims, x, xOffset, out, norms, lanes);
        }
        for (; r < count; r++) {
            norms[r] = dot512(rows, r * dims, rows, r * dims, dims);
            out[r] = dot512(rows, r * dims, x, xOffset, dims);
        }
    }

    @Override
    public int productsPerPass(int dims) {
        // The five-vector kernel takes only whole blocks of 8 elements.
        return dims % LANES == 0 ? WIDE_MANY_VECTORS : NARROW_MANY_VECTORS;
    }

    @Override
    public void dotRowRangeMany(float[] rows, int from, int to, int dims, double[] xs, int count, double[][] outs) {
        double[] lanes = new double[3 * LANES];
        // Rows outermost: a block of rows is read from afar once and stays in L1 for every block of vectors.
        int r = from;
        int blocked;
        // The five-vector kernel has no tail: with one, C1 ran out of registers compiling it when it was first reached
        // from a long loop, and it stayed in C1's code, which does not intrinsify the Vector API (60x slower).
        boolean five = dims % LANES == 0;
        int inFives = five ? vectorsInFives(count) : 0;
        int inFours = inFives + (count - inFives) / 4 * 4;
        // One to three vectors left over take the five-vector kernel with the others' products unused: a block
        // of rows read once for all of them costs less than a pass each.
        blocked = five ? count : inFours;
        while (r + 4 <= to) {
            int spacing = r + SPREAD_GROUP_ROWS <= to ? SPREAD_GROUP_ROWS / 4 : 1;
            for (int first = r; first < r + spacing; first++) {
                int c = 0;
                for (; c < inFives; c += 5) {
                    dotFourRowsFiveVectors512(rows, first, dims, xs, c, 5, outs, lanes, spacing);
                }
                for (; c < inFours; c += 4) {
                    dotFourRowsFourVectors512(rows, first, dims, xs, c, outs, lanes, spacing);
                }
                if (c < blocked) {
                    dotFourRowsFiveVectors512(rows, first, dims, xs, c, blocked - c, outs, lanes, spacing);
                }
            }
            r += 4 * spacing;
        }
        for (; r < to; r++) {
            for (int c = 0; c < blocked; c++) {
                outs[c][r] = dotWidened512(rows, r * dims, xs, c * dims, dims);
            }
        }
        for (int c = blocked; c < count; c++) {
            for (r = from; r < to; r++) {
                outs[c][r] = dotWidened512(rows, r * dims, xs, c * dims, dims);
            }
        }
    }

    @Override
    public void subtractColumns(double[][] columns, int from, int to, int[] of, double[][] outs, int count, int length) {
        if (count < 4 || count > 5) {
            super.subtractColumns(columns, from, to, of, outs, count, length);
            return;
        }
        boolean five = count == 5;
        double[] o0 = outs[0], o1 = outs[1], o2 = outs[2], o3 = outs[3], o4 = outs[five ? 4 : 3];
        int x0 = of[0], x1 = of[1], x2 = of[2], x3 = of[3], x4 = of[five ? 4 : 3];
        // A slice of the outputs stays in L1 while every earlier column's slice streams past it, so the outputs are
        // read and written once instead of once per two earlier columns. The elements are independent, so the tail
        // past the last full vector is left to the scalar loop. The fifth output's lines are skipped for four (a
        // test the compiler takes out of the loop).
        int vectorTo = length - length % LANES;
        for (int sliceFrom = 0; sliceFrom < vectorTo; sliceFrom += SUBTRACT_SLICE) {
            int sliceTo = Math.min(vectorTo, sliceFrom + SUBTRACT_SLICE);
            int s = from;
            for (; s + 2 <= to; s += 2) {
                double[] e0 = columns[s], e1 = columns[s + 1];
                double w00 = e0[x0], w01 = e1[x0], w10 = e0[x1], w11 = e1[x1];
                double w20 = e0[x2], w21 = e1[x2], w30 = e0[x3], w31 = e1[x3];
                double w40 = e0[x4], w41 = e1[x4];
                for (int i = sliceFrom; i < sliceTo; i += LANES) {
                    DoubleVector a = DoubleVector.fromArray(D8, e0, i), b = DoubleVector.fromArray(D8, e1, i);
                    DoubleVector.fromArray(D8, o0, i).sub(a.mul(w00)).sub(b.mul(w01)).intoArray(o0, i);
                    DoubleVector.fromArray(D8, o1, i).sub(a.mul(w10)).sub(b.mul(w11)).intoArray(o1, i);
                    DoubleVector.fromArray(D8, o2, i).sub(a.mul(w20)).sub(b.mul(w21)).intoArray(o2, i);
                    DoubleVector.fromArray(D8, o3, i).sub(a.mul(w30)).sub(b.mul(w31)).intoArray(o3, i);
                    if (five) {
                        DoubleVector.fromArray(D8, o4, i).sub(a.mul(w40)).sub(b.mul(w41)).intoArray(o4, i);
                    }
                }
            }
            for (; s < to; s++) {
                double[] e = columns[s];
                double w0 = e[x0], w1 = e[x1], w2 = e[x2], w3 = e[x3], w4 = e[x4];
                for (int i = sliceFrom; i < sliceTo; i += LANES) {
                    DoubleVector a = DoubleVector.fromArray(D8, e, i);
                    DoubleVector.fromArray(D8, o0, i).sub(a.mul(w0)).intoArray(o0, i);
                    DoubleVector.fromArray(D8, o1, i).sub(a.mul(w1)).intoArray(o1, i);
                    DoubleVector.fromArray(D8, o2, i).sub(a.mul(w2)).intoArray(o2, i);
                    DoubleVector.fromArray(D8, o3, i).sub(a.mul(w3)).intoArray(o3, i);
                    if (five) {
                        DoubleVector.fromArray(D8, o4, i).sub(a.mul(w4)).intoArray(o4, i);
                    }
                }
            }
        }
        KernelOps.subtractColumnsRange(columns, from, to, of, outs, count, vectorTo, length);
    }

    /**
     * Rows {@code r + q·spacing} for q in 0..3 times widened vectors {@code c .. c+3}: each widened row block serves four
     * vectors.
     */
    private static void dotFourRowsFourVectors512(float[] rows, int r, int dims, double[] xs, int c, double[][] outs, double[] lanes, int spacing) {
        DoubleVector a00 = DoubleVector.zero(D8), a01 = a00, a02 = a00, a03 = a00;
        DoubleVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        DoubleVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        DoubleVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int rowStride = spacing * dims;
        int o0 = r * dims, o1 = o0 + rowStride, o2 = o1 + rowStride, o3 = o2 + rowStride;
        int x0 = c * dims, x1 = x0 + dims, x2 = x1 + dims, x3 = x2 + dims;
        int blocked = dims - dims % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            DoubleVector v0 = DoubleVector.fromArray(D8, xs, x0 + i);
            DoubleVector v1 = DoubleVector.fromArray(D8, xs, x1 + i);
            DoubleVector v2 = DoubleVector.fromArray(D8, xs, x2 + i);
            DoubleVector v3 = DoubleVector.fromArray(D8, xs, x3 + i);
            DoubleVector row = widen8(rows, o0 + i);
            a00 = row.fma(v0, a00);
            a01 = row.fma(v1, a01);
            a02 = row.fma(v2, a02);
            a03 = row.fma(v3, a03);
            row = widen8(rows, o1 + i);
            a10 = row.fma(v0, a10);
            a11 = row.fma(v1, a11);
            a12 = row.fma(v2, a12);
            a13 = row.fma(v3, a13);
            row = widen8(rows, o2 + i);
            a20 = row.fma(v0, a20);
            a21 = row.fma(v1, a21);
            a22 = row.fma(v2, a22);
            a23 = row.fma(v3, a23);
            row = widen8(rows, o3 + i);
            a30 = row.fma(v0, a30);
            a31 = row.fma(v1, a31);
            a32 = row.fma(v2, a32);
            a33 = row.fma(v3, a33);
        }
        int y0 = c, y1 = c + 1, y2 = c + 2, y3 = c + 3;
        if (i == dims) {
            // No tail: the contract's lane sums ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)) of all sixteen in registers. Each
            // level adds every lane to its partner (neighbour, neighbouring pair, other half), which makes that level's
            // sums, and gathers two vectors' sums into one: [a00 a01 ...] pairs, then quads, then the sums in row
            // order. These are exactly sumLanes's additions (some with operands swapped, which changes nothing), so
            // the results are the same bit for bit. Written out: a helper taking vectors would not be inlined here,
            // and its vectors would be boxed.
            DoubleVector p0 = a00.add(a00.rearrange(SWAP_LANES)).blend(a01.add(a01.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p1 = a02.add(a02.rearrange(SWAP_LANES)).blend(a03.add(a03.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p2 = a10.add(a10.rearrange(SWAP_LANES)).blend(a11.add(a11.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p3 = a12.add(a12.rearrange(SWAP_LANES)).blend(a13.add(a13.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p4 = a20.add(a20.rearrange(SWAP_LANES)).blend(a21.add(a21.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p5 = a22.add(a22.rearrange(SWAP_LANES)).blend(a23.add(a23.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p6 = a30.add(a30.rearrange(SWAP_LANES)).blend(a31.add(a31.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector p7 = a32.add(a32.rearrange(SWAP_LANES)).blend(a33.add(a33.rearrange(SWAP_LANES)), ODD_LANES);
            DoubleVector q0 = p0.add(p0.rearrange(SWAP_PAIRS)).blend(p1.add(p1.rearrange(SWAP_PAIRS)), ODD_PAIRS);
            DoubleVector q1 = p2.add(p2.rearrange(SWAP_PAIRS)).blend(p3.add(p3.rearrange(SWAP_PAIRS)), ODD_PAIRS);
            DoubleVector q2 = p4.add(p4.rearrange(SWAP_PAIRS)).blend(p5.add(p5.rearrange(SWAP_PAIRS)), ODD_PAIRS);
            DoubleVector q3 = p6.add(p6.rearrange(SWAP_PAIRS)).blend(p7.add(p7.rearrange(SWAP_PAIRS)), ODD_PAIRS);
            q0.add(q0.rearrange(SWAP_HALVES)).blend(q1.add(q1.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, 0);
            q2.add(q2.rearrange(SWAP_HALVES)).blend(q3.add(q3.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, LANES);
            for (int q = 0; q < 4; q++) {
                outs[y0][r + q * spacing] = lanes[4 * q];
                outs[y1][r + q * spacing] = lanes[4 * q + 1];
                outs[y2][r + q * spacing] = lanes[4 * q + 2];
                outs[y3][r + q * spacing] = lanes[4 * q + 3];
            }
            return;
        }
        a00.intoArray(lanes, 0);
        outs[y0][r] = finishWidened(lanes, rows, o0, xs, x0, i, dims);
        a01.intoArray(lanes, 0);
        outs[y1][r] = finishWidened(lanes, rows, o0, xs, x1, i, dims);
        a02.intoArray(lanes, 0);
        outs[y2][r] = finishWidened(lanes, rows, o0, xs, x2, i, dims);
        a03.intoArray(lanes, 0);
        outs[y3][r] = finishWidened(lanes, rows, o0, xs, x3, i, dims);
        a10.intoArray(lanes, 0);
        outs[y0][r + spacing] = finishWidened(lanes, rows, o1, xs, x0, i, dims);
        a11.intoArray(lanes, 0);
        outs[y1][r + spacing] = finishWidened(lanes, rows, o1, xs, x1, i, dims);
        a12.intoArray(lanes, 0);
        outs[y2][r + spacing] = finishWidened(lanes, rows, o1, xs, x2, i, dims);
        a13.intoArray(lanes, 0);
        outs[y3][r + spacing] = finishWidened(lanes, rows, o1, xs, x3, i, dims);
        a20.intoArray(lanes, 0);
        outs[y0][r + 2 * spacing] = finishWidened(lanes, rows, o2, xs, x0, i, dims);
        a21.intoArray(lanes, 0);
        outs[y1][r + 2 * spacing] = finishWidened(lanes, rows, o2, xs, x1, i, dims);
        a22.intoArray(lanes, 0);
        outs[y2][r + 2 * spacing] = finishWidened(lanes, rows, o2, xs, x2, i, dims);
        a23.intoArray(lanes, 0);
        outs[y3][r + 2 * spacing] = finishWidened(lanes, rows, o2, xs, x3, i, dims);
        a30.intoArray(lanes, 0);
        outs[y0][r + 3 * spacing] = finishWidened(lanes, rows, o3, xs, x0, i, dims);
        a31.intoArray(lanes, 0);
        outs[y1][r + 3 * spacing] = finishWidened(lanes, rows, o3, xs, x1, i, dims);
        a32.intoArray(lanes, 0);
        outs[y2][r + 3 * spacing] = finishWidened(lanes, rows, o3, xs, x2, i, dims);
        a33.intoArray(lanes, 0);
        outs[y3][r + 3 * spacing] = finishWidened(lanes, rows, o3, xs, x3, i, dims);
    }

    /**
     * Rows {@code r + q·spacing} for q in 0..3 times widened vectors {@code c .. c+4}, for {@code dims} a multiple of
     * 8: each widened row block serves five vectors. With {@code live} below 5 only vectors {@code c .. c+live-1} are read and their
     * products stored; the other accumulators repeat vector {@code c}'s.
     */
    private static void dotFourRowsFiveVectors512(
        float[] rows,
        int r,
        int dims,
        double[] xs,
        int c,
        int live,
        double[][] outs,
        double[] lanes,
        int spacing
    ) {
        DoubleVector a00 = DoubleVector.zero(D8), a01 = a00, a02 = a00, a03 = a00, a04 = a00;
        DoubleVector a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00;
        DoubleVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a24 = a00;
        DoubleVector a30 = a00, a31 = a00, a32 = a00, a33 = a00, a34 = a00;
        int rowStride = spacing * dims;
        int o0 = r * dims, o1 = o0 + rowStride, o2 = o1 + rowStride, o3 = o2 + rowStride;
        int x0 = c * dims;
        int x1 = live > 1 ? x0 + dims : x0, x2 = live > 2 ? x0 + 2 * dims : x0;
        int x3 = live > 3 ? x0 + 3 * dims : x0, x4 = live > 4 ? x0 + 4 * dims : x0;
        for (int i = 0; i < dims; i += LANES) {
            DoubleVector v0 = DoubleVector.fromArray(D8, xs, x0 + i);
            DoubleVector v1 = DoubleVector.fromArray(D8, xs, x1 + i);
            DoubleVector v2 = DoubleVector.fromArray(D8, xs, x2 + i);
            DoubleVector v3 = DoubleVector.fromArray(D8, xs, x3 + i);
            DoubleVector v4 = DoubleVector.fromArray(D8, xs, x4 + i);
            DoubleVector row = widen8(rows, o0 + i);
            a00 = row.fma(v0, a00);
            a01 = row.fma(v1, a01);
            a02 = row.fma(v2, a02);
            a03 = row.fma(v3, a03);
            a04 = row.fma(v4, a04);
            row = widen8(rows, o1 + i);
            a10 = row.fma(v0, a10);
            a11 = row.fma(v1, a11);
            a12 = row.fma(v2, a12);
            a13 = row.fma(v3, a13);
            a14 = row.fma(v4, a14);
            row = widen8(rows, o2 + i);
            a20 = row.fma(v0, a20);
            a21 = row.fma(v1, a21);
            a22 = row.fma(v2, a22);
            a23 = row.fma(v3, a23);
            a24 = row.fma(v4, a24);
            row = widen8(rows, o3 + i);
            a30 = row.fma(v0, a30);
            a31 = row.fma(v1, a31);
            a32 = row.fma(v2, a32);
            a33 = row.fma(v3, a33);
            a34 = row.fma(v4, a34);
        }
        // The lane sums in registers, as in dotFourRowsFourVectors512, here pairing rows: after the three levels the
        // sums come out by vector, four rows each, two vectors to a register.
        DoubleVector p0 = a00.add(a00.rearrange(SWAP_LANES)).blend(a10.add(a10.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p1 = a20.add(a20.rearrange(SWAP_LANES)).blend(a30.add(a30.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p2 = a01.add(a01.rearrange(SWAP_LANES)).blend(a11.add(a11.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p3 = a21.add(a21.rearrange(SWAP_LANES)).blend(a31.add(a31.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p4 = a02.add(a02.rearrange(SWAP_LANES)).blend(a12.add(a12.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p5 = a22.add(a22.rearrange(SWAP_LANES)).blend(a32.add(a32.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p6 = a03.add(a03.rearrange(SWAP_LANES)).blend(a13.add(a13.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p7 = a23.add(a23.rearrange(SWAP_LANES)).blend(a33.add(a33.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p8 = a04.add(a04.rearrange(SWAP_LANES)).blend(a14.add(a14.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p9 = a24.add(a24.rearrange(SWAP_LANES)).blend(a34.add(a34.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector q0 = p0.add(p0.rearrange(SWAP_PAIRS)).blend(p1.add(p1.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q1 = p2.add(p2.rearrange(SWAP_PAIRS)).blend(p3.add(p3.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q2 = p4.add(p4.rearrange(SWAP_PAIRS)).blend(p5.add(p5.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q3 = p6.add(p6.rearrange(SWAP_PAIRS)).blend(p7.add(p7.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q4 = p8.add(p8.rearrange(SWAP_PAIRS)).blend(p9.add(p9.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        q0.add(q0.rearrange(SWAP_HALVES)).blend(q1.add(q1.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, 0);
        q2.add(q2.rearrange(SWAP_HALVES)).blend(q3.add(q3.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, LANES);
        q4.add(q4.rearrange(SWAP_HALVES)).intoArray(lanes, 2 * LANES);
        for (int v = 0; v < live; v++) {
            double[] out = outs[c + v];
            out[r] = lanes[4 * v];
            out[r + spacing] = lanes[4 * v + 1];
            out[r + 2 * spacing] = lanes[4 * v + 2];
            out[r + 3 * spacing] = lanes[4 * v + 3];
        }
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

    /**
     * Rows {@code r + q·spacing} for q in 0..7, for {@code dims} a multiple of 8: the product with x (already widened)
     * and each row's squared norm. Eight rows per block read eight row streams side by side, which at d = 768 and
     * K = 10000 reads the rows about 1.2 times faster than four rows with x widened in every block; the sixteen lane
     * sums come out of the tree of {@link #dotFourRowsFourVectors512}, product and norm paired, in row order.
     */
    private static void dotAndNormEightRows512(float[] rows, int r, int spacing, int dims, double[] x, double[] out, double[] norms, double[] lanes) {
        DoubleVector acc0 = DoubleVector.zero(D8), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        DoubleVector acc4 = acc0, acc5 = acc0, acc6 = acc0, acc7 = acc0;
        DoubleVector sq0 = acc0, sq1 = acc0, sq2 = acc0, sq3 = acc0;
        DoubleVector sq4 = acc0, sq5 = acc0, sq6 = acc0, sq7 = acc0;
        int rowStride = spacing * dims;
        int o0 = r * dims, o1 = o0 + rowStride, o2 = o1 + rowStride, o3 = o2 + rowStride;
        int o4 = o3 + rowStride, o5 = o4 + rowStride, o6 = o5 + rowStride, o7 = o6 + rowStride;
        for (int i = 0; i < dims; i += LANES) {
            DoubleVector xv = DoubleVector.fromArray(D8, x, i);
            DoubleVector v = widen8(rows, o0 + i);
            acc0 = v.fma(xv, acc0);
            sq0 = v.fma(v, sq0);
            v = widen8(rows, o1 + i);
            acc1 = v.fma(xv, acc1);
            sq1 = v.fma(v, sq1);
            v = widen8(rows, o2 + i);
            acc2 = v.fma(xv, acc2);
            sq2 = v.fma(v, sq2);
            v = widen8(rows, o3 + i);
            acc3 = v.fma(xv, acc3);
            sq3 = v.fma(v, sq3);
            v = widen8(rows, o4 + i);
            acc4 = v.fma(xv, acc4);
            sq4 = v.fma(v, sq4);
            v = widen8(rows, o5 + i);
            acc5 = v.fma(xv, acc5);
            sq5 = v.fma(v, sq5);
            v = widen8(rows, o6 + i);
            acc6 = v.fma(xv, acc6);
            sq6 = v.fma(v, sq6);
            v = widen8(rows, o7 + i);
            acc7 = v.fma(xv, acc7);
            sq7 = v.fma(v, sq7);
        }
        DoubleVector p0 = acc0.add(acc0.rearrange(SWAP_LANES)).blend(sq0.add(sq0.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p1 = acc1.add(acc1.rearrange(SWAP_LANES)).blend(sq1.add(sq1.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p2 = acc2.add(acc2.rearrange(SWAP_LANES)).blend(sq2.add(sq2.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p3 = acc3.add(acc3.rearrange(SWAP_LANES)).blend(sq3.add(sq3.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p4 = acc4.add(acc4.rearrange(SWAP_LANES)).blend(sq4.add(sq4.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p5 = acc5.add(acc5.rearrange(SWAP_LANES)).blend(sq5.add(sq5.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p6 = acc6.add(acc6.rearrange(SWAP_LANES)).blend(sq6.add(sq6.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector p7 = acc7.add(acc7.rearrange(SWAP_LANES)).blend(sq7.add(sq7.rearrange(SWAP_LANES)), ODD_LANES);
        DoubleVector q0 = p0.add(p0.rearrange(SWAP_PAIRS)).blend(p1.add(p1.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q1 = p2.add(p2.rearrange(SWAP_PAIRS)).blend(p3.add(p3.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q2 = p4.add(p4.rearrange(SWAP_PAIRS)).blend(p5.add(p5.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        DoubleVector q3 = p6.add(p6.rearrange(SWAP_PAIRS)).blend(p7.add(p7.rearrange(SWAP_PAIRS)), ODD_PAIRS);
        // [product, norm] of rows r .. r+3, then of rows r+4 .. r+7.
        q0.add(q0.rearrange(SWAP_HALVES)).blend(q1.add(q1.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, 0);
        q2.add(q2.rearrange(SWAP_HALVES)).blend(q3.add(q3.rearrange(SWAP_HALVES)), UPPER_HALF).intoArray(lanes, LANES);
        for (int q = 0; q < 8; q++) {
            out[r + q * spacing] = lanes[2 * q];
            norms[r + q * spacing] = lanes[2 * q + 1];
        }
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

    /** A row of floats times a vector already widened to doubles. */
    private static double dotWidened512(float[] a, int aOffset, double[] b, int bOffset, int length) {
        DoubleVector acc = DoubleVector.zero(D8);
        int blocked = length - length % LANES;
        int i = 0;
        for (; i < blocked; i += LANES) {
            acc = widen8(a, aOffset + i).fma(DoubleVector.fromArray(D8, b, bOffset + i), acc);
        }
        double[] lanes = new double[LANES];
        acc.intoArray(lanes, 0);
        return finishWidened(lanes, a, aOffset, b, bOffset, i, length);
    }

    /**
     * How many of {@code count} vectors go in blocks of five, the rest going in blocks of four: as many vectors in
     * full blocks as can be (the 1 to 3 others cost a block of five), with as many fives as that allows.
     */
    static int vectorsInFives(int count) {
        int best = 0;
        int bestCovered = -1;
        for (int fives = count / 5; fives >= 0; fives--) {
            int covered = 5 * fives + (count - 5 * fives) / 4 * 4;
            if (covered > bestCovered) {
                best = 5 * fives;
                bestCovered = covered;
            }
        }
        return best;
    }

    private static DoubleVector widen8(float[] a, int offset) {
        return (DoubleVector) FloatVector.fromArray(F8, a, offset).convertShape(VectorOperators.F2D, D8, 0);
    }
}
