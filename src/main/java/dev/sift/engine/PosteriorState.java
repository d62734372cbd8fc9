package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * The running Gaussian-process posterior of SIFT.md over K candidates, updated one observation at a time.
 *
 * <p>It keeps {@code k_t(x,x)} for every candidate, {@code k_t(a,x)} for every target and candidate, and the
 * scaled columns {@code c_s = k_{s-1}(·,x_s) / sqrt(k_{s-1}(x_s,x_s) + λ)} of the earlier picks, so that
 * {@code k_t(u,v) = k_0(u,v) - Σ_{s≤t} c_s(u) c_s(v)}. An observation costs one pass over the candidate
 * vectors (K·d) plus one correction per earlier pick (K·t); the K×K Gram matrix is never formed.
 *
 * <p>A pass is limited by reading and widening the K·d floats, not by its multiply-adds, so where the kernels
 * say extra products are nearly free ({@link KernelOps#productsPerPass}) the pass that computes a pick's prior
 * column {@code k_0(·,x)} also computes those of the candidates the caller expects next, and a later observation
 * of one of them needs no pass at all. Columns computed ahead stay until observed or replaced by newer ones, so a
 * guess that was early is still used. The guess only decides which products are computed when, never their
 * values: the selection is the same bit for bit whatever the guesses.
 *
 * <p>Memory: K·(steps + targets + 2 + {@link #AHEAD_PASSES_KEPT}·(productsPerPass − 1)) doubles, plus the pool's
 * buffers ({@link PoolProducts}).
 */
final class PosteriorState {

    /**
     * Rows per slice of a backwards pass. Each pass over the candidates reads all K·d floats, which for
     * K·d·4 bytes beyond the L2 cache means reading them from L3 or memory every step. Reading every other pass
     * backwards, slice by slice, starts each pass on the rows the previous one read last, which are still in
     * L2: for K=1000, d=768 (3 MB against 2 MB of L2) that makes a pass about 1.4 times faster. The results do not
     * depend on the order: each row's product is computed on its own.
     */
    private static final int PASS_SLICE_ROWS = 64;

    /**
     * Columns computed ahead are kept for this many passes' worth of guesses: a guess that was not the next
     * observation is often a later one. On clustered data (K=1000, d=768) passes for N=50 went from 20 with only the
     * last pass's guesses kept to 18, and for N=200 from 67 with 3 passes' worth to 61.
     */
    private static final int AHEAD_PASSES_KEPT = 6;

    private final KernelOps ops;
    private final SelectionProblem problem;
    private final double lambda;
    private final int candidateCount;
    /** k_t(x,x) per candidate. */
    private final double[] diagonal;
    /** k_t(a,x) per target a (outer) and candidate x (inner). */
    private final double[][] cross;
    /**
     * {@link #gain} per candidate, refreshed by every observation in the loop that updates the posterior: the
     * selectors scan all gains once per pick and the guesses once per pass, so computing each once per observation,
     * where its operands are at hand, is cheaper than a division per scan.
     */
    private final double[] gains;
    /** c_s for each observation so far. */
    private double[][] columns;
    private int observed;
    /** Passes over the candidate vectors so far; even passes read the rows forwards, odd ones backwards. */
    private int passes;
    /** The prior columns computed ahead of their observation. */
    private final ColumnsAhead ahead;
    /** The vectors of a pass's products, widened to double. */
    private final double[] widened;
    private final double priorVariance;
    private double variance;
    /** Set by {@link #observeLast}: the posterior no longer matches V. */
    private boolean closed;
    /** The pool's prior products for {@link #covariances}, made on first use. */
    private PoolProducts poolProducts;

    PosteriorState(KernelOps ops, SelectionProblem problem, double lambda, int expectedSteps) {
        this.ops = ops;
        this.problem = problem;
        this.lambda = lambda;
        this.candidateCount = problem.candidateCount();
        int dims = problem.dims();
        float[] vectors = problem.candidates();
        float[] targets = problem.targets();
        this.diagonal = new double[candidateCount];
        this.cross = new double[problem.targetCount()][candidateCount];
        // The first pass computes the candidates' squared norms and their products with the first target together.
        ops.dotRowsAndNorms(vectors, candidateCount, dims, targets, 0, cross[0], diagonal);
        passes = 1;
        double prior = ops.dot(targets, 0, targets, 0, dims);
        for (int a = 1; a < cross.length; a++) {
            double[] row = cross[a];
            int offset = a * dims;
            pass((from, to) -> ops.dotRowRange(vectors, from, to, dims, targets, offset, row));
            prior += ops.dot(targets, a * dims, targets, a * dims, dims);
        }
        this.priorVariance = prior;
        this.variance = prior;
        this.gains = new double[candidateCount];
        if (cross.length == 1) {
            // computeGain(i) written out for one target (0 + k·k is k·k), a loop the JIT vectorises: 30 → 9 µs for K=10000.
            double[] targetRow = cross[0];
            for (int i = 0; i < candidateCount; i++) {
                double k = targetRow[i];
                gains[i] = k * k / (diagonal[i] + lambda);
            }
        } else {
            for (int i = 0; i < candidateCount; i++) {
                gains[i] = computeGain(i);
            }
        }
        this.columns = new double[Math.max(1, expectedSteps)][];
        this.ahead = new ColumnsAhead(AHEAD_PASSES_KEPT * (ops.productsPerPass(dims) - 1));
        this.widened = new double[ops.productsPerPass(dims) * dims];
    }

    /**
     * An upper bound of the bytes of the state for {@code steps} observations, with the widest kernels: per candidate,
     * a column per observation and per target, the diagonal, the gains, the columns computed ahead and 3 doubles' worth of the
     * selectors' and the pool's arrays; plus the pool's buffers.
     */
    static long bytes(int candidates, int dims, int steps, int targets) {
        int ahead = AHEAD_PASSES_KEPT * (KernelOps.MAX_PRODUCTS_PER_PASS - 1);
        int pool = NextPicks.poolSize(candidates) + 1;
        return (long) candidates * (steps + targets + 2 + ahead + 3) * Double.BYTES + PoolProducts.bytes(pool, dims);
    }

    double priorVariance() {
        return priorVariance;
    }

    /** {@code V(S_t)} after the observations so far. */
    double variance() {
        return variance;
    }

    /** {@code k_t(a, ·)} for target {@code a}: before any observation, the inner products with the target. */
    double[] targetRow(int a) {
        return cross[a];
    }

    int targetCount() {
        return cross.length;
    }

    double lambda() {
        return lambda;
    }

    /** {@code k_t(x,x)}: the posterior variance at candidate {@code x} (not {@link #variance()}, V at the targets). */
    double pointVariance(int x) {
        return diagonal[x];
    }

    /**
     * {@code k_t(u,v)} for every pair of {@code members}, at most {@link NextPicks#poolSize} + 1 of them: their prior
     * products (kept from earlier calls, see {@link PoolProducts}), then one correction per observation so far.
     */
    double[][] covariances(int[] members) {
        if (poolProducts == null) {
            poolProducts = new PoolProducts(ops, problem, NextPicks.poolSize(candidateCount) + 1);
        }
        int size = members.length;
        double[][] k = poolProducts.prior(members);
        // The members' entries of the earlier columns, gathered once: c_s(u) for each member u and observation s.
        double[][] earlier = new double[size][observed];
        for (int s = 0; s < observed; s++) {
            for (int m = 0; m < size; m++) {
                earlier[m][s] = columns[s][members[m]];
            }
        }
        for (int u = 0; u < size; u++) {
            for (int v = 0; v <= u; v++) {
                double value = k[u][v];
                for (int s = 0; s < observed; s++) {
                    value -= earlier[u][s] * earlier[v][s];
                }
                k[u][v] = k[v][u] = value;
            }
        }
        return k;
    }

    /** The candidate of largest {@link #gain} among those not {@code excluded}, ties to the earlier, or -1 if none. */
    int largestGain(boolean[] excluded) {
        return ops.argmax(gains, excluded, candidateCount);
    }

    /** {@code Σ_a k_t(a,x)² / (k_t(x,x) + λ)}: how much observing candidate {@code x} next would reduce V. */
    double gain(int x) {
        return gains[x];
    }

    private double computeGain(int x) {
        double numerator = 0;
        for (double[] targetRow : cross) {
            double k = targetRow[x];
            numerator += k * k;
        }
        return numerator / (diagonal[x] + lambda);
    }

    /**
     * Observes candidate {@code x}; returns its gain, by which V decreased.
     *
     * @param likelyNext asked only when {@code x}'s prior column has to be computed: given a count, returns up to
     *                   that many candidates, most likely next observation first, whose columns the same pass can
     *                   compute ahead
     */
    double observe(int x, IntFunction<int[]> likelyNext) {
        checkOpen();
        int slot = ahead.slotOf(x);
        if (slot >= 0) {
            double[] column = ahead.column(slot);
            int corrected = ahead.corrected(slot);
            ahead.free(slot);
            return observe(x, column, corrected);
        }
        return observe(x, priorColumn(x, likelyNext), observed);
    }

    /**
     * Observes candidate {@code x} as the last observation: V decreases by its gain, which is all a selection reports
     * of it. The posterior is left as it was, as no later pick needs it, so this costs no pass over the candidates; no
     * observation may follow.
     */
    double observeLast(int x) {
        double gain = gain(x);
        variance -= gain;
        closed = true;
        return gain;
    }

    /**
     * Observes candidate {@code x} whose prior column {@code k_0(·, x)} the caller already computed with the same
     * {@link KernelOps} (MMR needs it anyway); the array is taken over and becomes the scaled column {@code c_t}.
     */
    double observe(int x, double[] column) {
        checkOpen();
        return observe(x, column, 0);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("an observation after the last one");
        }
    }

    /** {@link #observe(int, double[])} for a column that already had the first {@code corrected} observations' terms subtracted. */
    private double observe(int x, double[] column, int corrected) {
        double gain = gain(x);
        subtractEarlierColumns(new double[][] { column }, new int[] { x }, 1, corrected);
        // The denominator uses the tracked diagonal, the same value the gain used, so V decreases by exactly
        // the gain that won the argmax.
        double scale = 1.0 / Math.sqrt(diagonal[x] + lambda);
        if (cross.length == 1) {
            updateOneTarget(x, column, scale);
        } else {
            updateTargets(x, column, scale);
        }
        if (observed == columns.length) {
            columns = Arrays.copyOf(columns, observed * 2);
        }
        columns[observed++] = column;
        variance -= gain;
        return gain;
    }

    /** The update of {@link #observe(int, double[], int)} for one target, in one sweep over the candidates. */
    private void updateOneTarget(int x, double[] column, double scale) {
        double[] targetRow = cross[0];
        double weight = targetRow[x] * scale;
        // Left to the JIT: measured, the same loop written with the Vector API was no faster (5.2 µs for 10000
        // candidates in L1/L2 either way, about the throughput of the vector division).
        for (int i = 0; i < candidateCount; i++) {
            double c = column[i] * scale;
            column[i] = c;
            // A variance is never negative; clamp the rounding error of the subtraction.
            double v = Math.max(0.0, diagonal[i] - c * c);
            diagonal[i] = v;
            double k = targetRow[i] - weight * c;
            targetRow[i] = k;
            gains[i] = k * k / (v + lambda); // computeGain(i), written out
        }
    }

    private void updateTargets(int x, double[] column, double scale) {
        for (int i = 0; i < candidateCount; i++) {
            double c = column[i] * scale;
            column[i] = c;
            diagonal[i] = Math.max(0.0, diagonal[i] - c * c);
        }
        for (double[] targetRow : cross) {
            double weight = targetRow[x] * scale;
            for (int i = 0; i < candidateCount; i++) {
                targetRow[i] -= weight * column[i];
            }
        }
        for (int i = 0; i < candidateCount; i++) {
            gains[i] = computeGain(i);
        }
    }

    /**
     * {@code out_c[i] -= c_s(i)·c_s(x_c)} for observations {@code s} from {@code from} on, in the order of {@code s},
     * for the first {@code count} columns {@code outs} of candidates {@code of} ({@link KernelOps#subtractColumns}).
     */
    private void subtractEarlierColumns(double[][] outs, int[] of, int count, int from) {
        ops.subtractColumns(columns, from, observed, of, outs, count, candidateCount);
    }

    /**
     * One pass computing {@code k_0(·,x)} and, in the same read of the rows, the prior columns of likely later
     * observations not computed ahead yet; then the earlier observations' terms are subtracted from all of them
     * together. The new columns ahead take free slots, else those of the columns computed longest ago. Returns x's
     * column with those terms subtracted.
     */
    private double[] priorColumn(int x, IntFunction<int[]> likelyNext) {
        double[] column = new double[candidateCount];
        float[] candidates = problem.candidates();
        int dims = problem.dims();
        // A pass computes the pick's product and up to productsPerPass - 1 ahead.
        int wanted = ops.productsPerPass(dims) - 1;
        int[] guesses = wanted == 0 ? new int[0] : likelyNext.apply(wanted + ahead.slots());
        int[] next = ahead.newGuesses(x, guesses, wanted);
        if (next.length == 0) {
            pass((from, to) -> ops.dotRowRange(candidates, from, to, dims, candidates, x * dims, column));
            subtractEarlierColumns(new double[][] { column }, new int[] { x }, 1, 0);
            return column;
        }
        int count = 1 + next.length;
        double[][] outs = new double[count][];
        int[] of = new int[count];
        outs[0] = column;
        of[0] = x;
        widen(candidates, x, widened, 0, dims);
        for (int c = 1; c < count; c++) {
            of[c] = next[c - 1];
            outs[c] = ahead.claim(of[c], observed, passes, guesses, candidateCount);
            widen(candidates, of[c], widened, c, dims);
        }
        pass((from, to) -> ops.dotRowRangeMany(candidates, from, to, dims, widened, count, outs));
        subtractEarlierColumns(outs, of, count, 0);
        return column;
    }

    /** Candidate {@code candidate}'s vector widened to double into {@code widened} at {@code slot * dims}. */
    static void widen(float[] candidates, int candidate, double[] widened, int slot, int dims) {
        for (int i = 0; i < dims; i++) {
            widened[slot * dims + i] = candidates[candidate * dims + i];
        }
    }

    /** Computes rows {@code [from, to)} of a pass. */
    private interface RowRange {
        void compute(int from, int to);
    }

    /**
     * One pass over the candidate vectors, forwards or backwards by turns (see {@link #PASS_SLICE_ROWS}).
     */
    private void pass(RowRange rows) {
        if ((passes++ & 1) == 0) {
            rows.compute(0, candidateCount);
        } else {
            for (int from = (candidateCount - 1) / PASS_SLICE_ROWS * PASS_SLICE_ROWS; from >= 0; from -= PASS_SLICE_ROWS) {
                rows.compute(from, Math.min(from + PASS_SLICE_ROWS, candidateCount));
            }
        }
    }
}
