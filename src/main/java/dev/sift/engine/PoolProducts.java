package dev.sift.engine;

import dev.sift.engine.kernels.KernelOps;

import java.util.Arrays;

/**
 * The prior products {@code k_0(u,v)} among the members of {@link NextPicks}' pool, kept from one guess to the
 * next. The pool is the strongest candidates, which change little from one pick to the next, so only members new
 * to the pool cost products (their rows times every member); the others' products are reused. The buffers are
 * allocated once: allocating and zeroing a pool's widened rows per guess (K=1000, d=768: 180 kB, 19 guesses) cost
 * more than the products.
 */
final class PoolProducts {

    private final KernelOps ops;
    private final float[] candidates;
    private final int dims;
    private final int capacity;
    /**
     * Candidate in each slot, or -1. Searched linearly: a pool has at most 32 slots, and a map over all K candidates
     * cost more to allocate and fill than all the searches of a selection (K=10000: 28 µs a selection).
     */
    private final int[] slotCandidate;
    /** Each slot's vector widened to double, at {@code slot * dims}. */
    private final double[] widened;
    /** {@code k_0} of the candidates in slots {@code s} and {@code t}, at {@code [s][t]}, for occupied slots. */
    private final double[][] products;
    /** Rows of the members new to the pool, copied together for one matrix product, and its result. */
    private final float[] newRows;
    private final double[][] newProducts;

    PoolProducts(KernelOps ops, SelectionProblem problem, int capacity) {
        this.ops = ops;
        this.candidates = problem.candidates();
        this.dims = problem.dims();
        this.capacity = capacity;
        this.slotCandidate = new int[capacity];
        Arrays.fill(slotCandidate, -1);
        this.widened = new double[capacity * dims];
        this.products = new double[capacity][capacity];
        this.newRows = new float[capacity * dims];
        this.newProducts = new double[capacity][capacity];
    }

    /** Bytes of the buffers, for a memory estimate. */
    static long bytes(int capacity, int dims) {
        return (long) capacity * dims * (Double.BYTES + Float.BYTES) + 2L * capacity * capacity * Double.BYTES;
    }

    /** {@code k_0(members[u], members[v])} at {@code [u][v]}; at most {@code capacity} distinct members. */
    double[][] prior(int[] members) {
        int size = members.length;
        int[] memberSlots = new int[size];
        boolean[] keep = new boolean[capacity];
        for (int u = 0; u < size; u++) {
            int slot = slotOf(members[u]);
            memberSlots[u] = slot;
            if (slot >= 0) {
                keep[slot] = true;
            }
        }
        // Members new to the pool take the slots of candidates that left it.
        int[] newSlots = new int[size];
        int newCount = 0;
        int free = 0;
        for (int u = 0; u < size; u++) {
            if (memberSlots[u] >= 0) {
                continue;
            }
            int member = members[u];
            int repeated = slotOf(member); // a member listed twice took its slot above
            if (repeated >= 0) {
                memberSlots[u] = repeated;
                continue;
            }
            while (keep[free]) {
                free++;
            }
            slotCandidate[free] = member;
            memberSlots[u] = free;
            keep[free] = true;
            PosteriorState.widen(candidates, member, widened, free, dims);
            System.arraycopy(candidates, member * dims, newRows, newCount * dims, dims);
            newSlots[newCount++] = free;
        }
        if (newCount > 0) {
            // New rows times every slot's vector; a slot left empty or stale costs a product nobody reads.
            int used = 0;
            for (int s = 0; s < capacity; s++) {
                if (slotCandidate[s] >= 0) {
                    used = s + 1;
                }
            }
            ops.dotRowRangeMany(newRows, 0, newCount, dims, widened, used, newProducts);
            for (int n = 0; n < newCount; n++) {
                int row = newSlots[n];
                for (int s = 0; s < used; s++) {
                    products[row][s] = products[s][row] = newProducts[s][n];
                }
            }
        }
        double[][] out = new double[size][size];
        for (int u = 0; u < size; u++) {
            double[] from = products[memberSlots[u]];
            for (int v = 0; v < size; v++) {
                out[u][v] = from[memberSlots[v]];
            }
        }
        return out;
    }

    private int slotOf(int candidate) {
        for (int slot = 0; slot < capacity; slot++) {
            if (slotCandidate[slot] == candidate) {
                return slot;
            }
        }
        return -1;
    }
}
