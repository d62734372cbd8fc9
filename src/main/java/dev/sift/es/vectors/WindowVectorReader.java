package dev.sift.es.vectors;

import dev.sift.es.compat.IndexedVectors;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.ByteVectorValues;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BytesRef;
import org.elasticsearch.index.mapper.vectors.VectorEncoderDecoder;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the vectors of a window of hits from the index, once per hit.
 *
 * <p>Lucene's vector values and doc values are forward-only iterators per segment, so the hits are visited in
 * doc-id order, one iterator per segment, and each vector is copied into the row of the hit's position in the
 * window. Quantized formats (int8, int4, bbq) keep the raw float vectors, which are what is read here.
 */
public final class WindowVectorReader {

    private WindowVectorReader() {}

    /**
     * @param docs top-level doc ids, in window order
     * @return the vectors in window order; hits without a value are marked absent
     */
    public static WindowVectors read(IndexReader reader, VectorField field, int[] docs) throws IOException {
        Integer dims = field.dims();
        if (dims == null || docs.length == 0) {
            return new WindowVectors(new float[0], new boolean[docs.length], dims == null ? 0 : dims);
        }
        float[] values = new float[docs.length * dims];
        boolean[] present = new boolean[docs.length];
        Integer[] byDoc = new Integer[docs.length];
        for (int i = 0; i < docs.length; i++) {
            byDoc[i] = i;
        }
        Arrays.sort(byDoc, (a, b) -> Integer.compare(docs[a], docs[b]));

        List<LeafReaderContext> leaves = reader.leaves();
        SegmentCursor cursor = null;
        int leafOrd = -1;
        for (int position : byDoc) {
            int doc = docs[position];
            int ord = ReaderUtil.subIndex(doc, leaves);
            if (ord != leafOrd) {
                leafOrd = ord;
                cursor = new SegmentCursor(leaves.get(ord).reader(), field, dims);
            }
            int local = doc - leaves.get(ord).docBase;
            if (cursor.copy(local, values, position * dims)) {
                present[position] = true;
                if (field.normalizeOnRead()) {
                    VectorField.normalize(values, position * dims, dims);
                }
            }
        }
        return new WindowVectors(values, present, dims);
    }

    /**
     * A forward-only reader of one segment's vectors, for code that is handed hits one at a time in doc order
     * (a fetch sub-phase: the retriever's rank-feature phase reads the window's vectors this way).
     *
     * @param leaf a segment; docs passed to {@link LeafCursor#next} are relative to it and must not decrease
     */
    public static LeafCursor leafCursor(LeafReader leaf, VectorField field) throws IOException {
        Integer dims = field.dims();
        return new LeafCursor(dims == null ? null : new SegmentCursor(leaf, field, dims), field);
    }

    /** See {@link #leafCursor}. */
    public static final class LeafCursor {
        private final SegmentCursor cursor;
        private final VectorField field;

        private LeafCursor(SegmentCursor cursor, VectorField field) {
            this.cursor = cursor;
            this.field = field;
        }

        /** A copy of the vector of segment doc {@code doc} (normalised as {@link #read} does), or null if it has none. */
        public float[] next(int doc) throws IOException {
            if (cursor == null) {
                return null; // the mapping has no dims yet: no document has a vector
            }
            float[] out = new float[cursor.dims];
            if (cursor.copy(doc, out, 0) == false) {
                return null;
            }
            if (field.normalizeOnRead()) {
                VectorField.normalize(out, 0, cursor.dims);
            }
            return out;
        }
    }

    /** One segment's vectors, read forward. */
    private static final class SegmentCursor {
        private final VectorField field;
        private final int dims;
        /** An indexed field's values (one of the two) and their doc iterator: Lucene's API differs by version ({@link IndexedVectors}). */
        private final FloatVectorValues floats;
        private final ByteVectorValues bytes;
        private final DocIdSetIterator indexed;
        private final BinaryDocValues binary;
        private final float[] decoded;

        SegmentCursor(LeafReader leaf, VectorField field, int dims) throws IOException {
            this.field = field;
            this.dims = dims;
            boolean isFloat = field.elementType() == VectorField.ElementType.FLOAT;
            this.floats = field.indexed() && isFloat ? leaf.getFloatVectorValues(field.name()) : null;
            this.bytes = field.indexed() && isFloat == false ? leaf.getByteVectorValues(field.name()) : null;
            this.indexed = floats != null ? IndexedVectors.iterator(floats) : bytes != null ? IndexedVectors.iterator(bytes) : null;
            this.binary = field.indexed() ? null : leaf.getBinaryDocValues(field.name());
            this.decoded = field.indexed() || isFloat == false ? null : new float[dims];
        }

        /** Copies the vector of segment doc {@code doc} to {@code out[offset..]}; false if it has none. */
        boolean copy(int doc, float[] out, int offset) throws IOException {
            if (indexed != null) {
                if (advance(indexed, doc) == false) {
                    return false;
                }
                if (floats != null) {
                    System.arraycopy(IndexedVectors.current(floats, indexed), 0, out, offset, dims);
                } else {
                    byte[] v = IndexedVectors.current(bytes, indexed);
                    for (int i = 0; i < dims; i++) {
                        out[offset + i] = v[i];
                    }
                }
                return true;
            }
            if (binary != null && binary.advanceExact(doc)) {
                BytesRef ref = binary.binaryValue();
                if (decoded != null) {
                    VectorEncoderDecoder.decodeDenseVector(field.indexVersion(), ref, decoded);
                    System.arraycopy(decoded, 0, out, offset, dims);
                } else {
                    for (int i = 0; i < dims; i++) {
                        out[offset + i] = ref.bytes[ref.offset + i];
                    }
                }
                return true;
            }
            return false;
        }

        /** Moves forward to {@code doc} (docs asked for never decrease); whether it has a value. */
        private static boolean advance(DocIdSetIterator iterator, int doc) throws IOException {
            int current = iterator.docID();
            if (current < doc) {
                current = iterator.advance(doc);
            }
            return current == doc;
        }
    }
}
