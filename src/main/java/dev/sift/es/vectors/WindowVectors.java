package dev.sift.es.vectors;

/** The vectors of a window's hits, row {@code i} for the hit at window position {@code i}. */
public final class WindowVectors {

    private final float[] values;
    private final boolean[] present;
    private final int dims;

    /**
     * @param values  row {@code i} at {@code [i·dims, (i+1)·dims)}; rows of absent hits are ignored
     * @param present whether hit {@code i} has a vector
     */
    public WindowVectors(float[] values, boolean[] present, int dims) {
        this.values = values;
        this.present = present;
        this.dims = dims;
    }

    public int dims() {
        return dims;
    }

    /** Positions that have a vector, in window order. */
    public int[] presentPositions() {
        int count = 0;
        for (boolean p : present) {
            count += p ? 1 : 0;
        }
        int[] out = new int[count];
        for (int i = 0, j = 0; i < present.length; i++) {
            if (present[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /** The bytes {@link #rows} allocates for these positions: none when every hit has a vector. */
    public long rowsBytes(int[] positions) {
        return positions.length == present.length ? 0 : (long) positions.length * dims * Float.BYTES;
    }

    /** The vectors of the given positions packed as consecutive rows. */
    public float[] rows(int[] positions) {
        if (positions.length == present.length) {
            return values; // every hit has a vector: the rows are already packed
        }
        float[] out = new float[positions.length * dims];
        for (int i = 0; i < positions.length; i++) {
            System.arraycopy(values, positions[i] * dims, out, i * dims, dims);
        }
        return out;
    }
}
